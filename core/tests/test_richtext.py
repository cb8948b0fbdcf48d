from core.richtext import render, sanitise


def test_paragraphs_lists_emphasis_and_links() -> None:
    html = render(
        "Welkom bij de **leergang**.\nTweede regel.\n\n- punt een\n- punt _twee_\n\nZie https://example.org/info."
    )
    assert html == (
        "<p>Welkom bij de <strong>leergang</strong>.<br>Tweede regel.</p>"
        "<ul><li>punt een</li><li>punt <em>twee</em></li></ul>"
        '<p>Zie <a href="https://example.org/info" rel="noopener noreferrer nofollow">https://example.org/info</a>.</p>'
    )


def test_html_in_the_source_is_text_not_markup() -> None:
    html = render('<script>alert(1)</script><img src=x onerror="alert(2)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_sanitise_removes_dangerous_markup() -> None:
    dirty = '<p onclick="x()">Hoi <a href="javascript:alert(1)">klik</a><iframe src="//evil"></iframe></p>'
    assert sanitise(dirty) == '<p>Hoi <a rel="noopener noreferrer nofollow">klik</a></p>'
