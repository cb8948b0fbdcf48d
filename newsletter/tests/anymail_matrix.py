"""Authorization-matrix entries for the mail providers' webhooks (newsletter/webhook_urls.py).

Use in tests/test_authorization_matrix.py: `**anymail_cases(Case, fixed, expect)` in MATRIX.

A webhook ignores logins: every role gets what an anonymous request gets. The statuses are the
ones measured under the test settings, where WEBHOOK_SECRET is a random value and no provider has
its own key (nor svix for Resend's signatures; boto3 is installed for media on S3, so Amazon SES's
webhooks are on):
- providers secured by basic auth alone: GET 405, a POST without credentials 400 (Amazon SES
  asks for the credentials first: 401);
- providers that also need their own key, and inbound webhooks that need an API key: 404 for
  both, the webhook is off until the key is set;
- Mandrill checks its key only on POST: GET 405, POST 404.
Setting a provider key in the environment of a test run changes its row (e.g. Mailgun: 405/400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

BASIC_AUTH = (405, 400)
OFF = (404, 404)
MANDRILL = (405, 404)
AMAZON_SES = (405, 401)

# (GET, unauthenticated POST) per URL name in anymail.urls.
STATUSES: dict[str, tuple[int, int]] = {
    "amazon_ses_inbound_webhook": AMAZON_SES,
    "amazon_ses_tracking_webhook": AMAZON_SES,
    "brevo_inbound_webhook": OFF,
    "brevo_tracking_webhook": BASIC_AUTH,
    "mailersend_inbound_webhook": OFF,
    "mailersend_tracking_webhook": OFF,
    "mailgun_inbound_webhook": OFF,
    "mailgun_tracking_webhook": OFF,
    "mailjet_inbound_webhook": BASIC_AUTH,
    "mailjet_tracking_webhook": BASIC_AUTH,
    "mailtrap_inbound_webhook": OFF,
    "mailtrap_tracking_webhook": BASIC_AUTH,
    "mandrill_tracking_webhook": MANDRILL,
    "mandrill_webhook": MANDRILL,
    "postal_inbound_webhook": OFF,
    "postal_tracking_webhook": OFF,
    "postmark_inbound_webhook": BASIC_AUTH,
    "postmark_tracking_webhook": BASIC_AUTH,
    "resend_inbound_webhook": OFF,
    "resend_tracking_webhook": BASIC_AUTH,
    "sendgrid_inbound_webhook": BASIC_AUTH,
    "sendgrid_tracking_webhook": BASIC_AUTH,
    "sendinblue_inbound_webhook": OFF,
    "sendinblue_tracking_webhook": BASIC_AUTH,
    "sparkpost_inbound_webhook": BASIC_AUTH,
    "sparkpost_tracking_webhook": BASIC_AUTH,
    "unisender_go_tracking_webhook": OFF,
}


def anymail_cases(case: Callable[..., Any], fixed: Callable[[str], Any], expect: Callable[..., Any]) -> dict[str, list]:
    """Matrix entries ("anymail:<name>") for every anymail URL: a GET and a POST without credentials.

    `case`, `fixed` and `expect` are the matrix's Case, fixed and expect. The paths are reversed
    when the matrix is built, so they follow wherever the webhooks are mounted."""
    cases: dict[str, list] = {}
    for name, (get_status, post_status) in STATUSES.items():
        url = fixed(reverse(f"anymail:{name}"))
        cases[f"anymail:{name}"] = [
            case(url, expect(get_status, get_status), label="GET"),
            case(
                url,
                expect(post_status, post_status),
                method="post",
                data={"event": "bounced", "recipient": "someone@example.org"},
                label="POST without credentials",
            ),
        ]
    return cases
