// The structured editor: show the parts of the chosen kind of document without a round trip.
// Without JavaScript the "Show the parts for this kind" button does the same on the server.
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.getElementById("id_kind");
  if (!kind) return;
  document.querySelectorAll(".js-hide").forEach((element) => { element.hidden = true; });
  const show = () => {
    document.querySelectorAll(".part[data-kind]").forEach((part) => {
      part.hidden = part.dataset.kind !== kind.value;
    });
  };
  kind.addEventListener("change", show);
});
