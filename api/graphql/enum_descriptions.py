"""What each enum of the schema and each of its values means, in plain words (the table
`api.graphql.descriptions` applies)."""

from __future__ import annotations

#: an enum's description, then its values'
ENUMS: dict[str, tuple[str, dict[str, str]]] = {
    "Party": ("One side of the relationship.", {
        "VENDOR": "Us, who serve the client.", "CLIENT": "The client."}),
    "PromiseKind": ("What a promise or an expectation is about.", {
        "DELIVERY": "Delivering something.", "INTEGRATION": "Making systems work together.",
        "SERVICE_LEVEL": "A level of service.", "SUPPORT": "Help when asked.",
        "PAYMENT": "Paying money.", "PURCHASE": "Buying something (a sale forecast).",
        "OTHER": "Anything else."}),
    "ItemSource": ("Whether a gap item is a promise or an expectation.", {
        "PROMISE": "Someone promised it.", "EXPECTATION": "Someone expects it."}),
    "ItemStatus": ("Where a promise or an expectation stands.", {
        "OPEN": "Not settled, not yet due.", "OVERDUE": "Not settled, past its date.",
        "KEPT": "A promise kept.", "BROKEN": "A promise broken.",
        "MET": "An expectation met.", "MISSED": "An expectation missed.",
        "CANCELLED": "Cancelled: neither kept nor broken."}),
    "InvoiceStatus": ("Where an invoice stands.", {
        "OPEN": "Owed, not yet due.", "OVERDUE": "Owed, past due.",
        "PAID": "Paid in full.", "DISPUTED": "Disputed: collections pause.",
        "WRITTEN_OFF": "What was owed was written off.",
        "CREDITED": "Its balance reached 0 through an upheld dispute's credit."}),
    "AgingBucket": ("How long an amount is overdue.", {
        "CURRENT": "Not overdue.", "DAYS_1_30": "1 to 30 days overdue.",
        "DAYS_31_60": "31 to 60 days overdue.", "DAYS_61_90": "61 to 90 days overdue.",
        "DAYS_90_PLUS": "More than 90 days overdue."}),
    "Band": ("The band of a trust score.", {
        "STRONG": "80 or more.", "STEADY": "60 to under 80.",
        "STRAINED": "40 to under 60.", "AT_RISK": "Under 40."}),
    "Confidence": ("How much a trust score rests on.", {
        "LOW": "Fewer than 3 things to measure.", "MEDIUM": "3 to 9 things to measure.",
        "HIGH": "10 or more things to measure."}),
    "RelationshipState": ("Whether a relationship goes on.", {
        "ACTIVE": "It goes on.", "ENDED": "It was ended (it may be resumed)."}),
    "EndReason": ("Why a relationship ended.", {
        "SERVICE_MISMATCH": "What we offer is not what the client needs.",
        "EXPERTISE_NOT_VALUED": "The client does not value our expertise.",
        "OVERCOMMITMENT": "We promised more than we could do.",
        "MISTREATMENT": "The client mistreated our people.",
        "NON_PAYMENT": "The client did not pay.", "CLIENT_LEFT": "The client left.",
        "OTHER": "Another reason (see the note)."}),
    "Channel": ("How a contact happened.", {
        "EMAIL": "By email.", "PHONE": "By phone.", "MEETING": "In a meeting.",
        "LETTER": "By letter.", "MESSAGE": "By a chat or text message."}),
    "Direction": ("Who reached out.", {
        "OUTBOUND": "We contacted the client.", "INBOUND": "The client contacted us."}),
    "ContactPurpose": ("What a contact was for.", {
        "COLLECTION": "Asking for money owed (counts toward the weekly cap).",
        "SALES": "Selling.", "SUPPORT": "Helping.", "CHECK_IN": "Keeping in touch."}),
    "ComplaintCategory": ("What a complaint is about.", {
        "SERVICE_FAILURE": "Something did not work.", "DELAY": "Something came late.",
        "BILLING": "An invoice or a payment.", "COMMUNICATION": "How we talked.",
        "BEHAVIOUR": "How someone behaved.", "OTHER": "Anything else."}),
    "Severity": ("How serious a complaint is.", {
        "LOW": "Minor.", "MEDIUM": "Notable.", "HIGH": "Serious.",
        "CRITICAL": "It threatens the relationship."}),
    "Basis": ("Where an expectation comes from.", {
        "STATED": "The party said so.", "ASSUMED": "We assume it (a forecast)."}),
    "DisputeOutcome": ("How a dispute was settled.", {
        "UPHELD": "The client was right: the invoice may be credited.",
        "REJECTED": "The invoice stands as issued."}),
    "SignalKind": ("An early warning; docs/figures.md says when each holds.", {
        "CHRONIC_LATE_PAYER": "The client's payment punctuality is below 50.",
        "BROKEN_PAYMENT_PROMISES": "2 or more of the client's payment promises broken or "
                                   "overdue in 180 days.",
        "OVERCOMMITTING": "We are late on too many of our own promises.",
        "MISTREATMENT": "2 or more behaviour complaints by us in 180 days.",
        "OUT_OF_SCOPE_DEMANDS": "2 or more requests for services we do not offer in 180 "
                                "days.",
        "EXPERTISE_NOT_VALUED": "The client declines most of our advice.",
        "CONTACT_CAP_REACHED": "This week's collection contacts reached the cap.",
        "UNANSWERED_FOLLOW_UPS": "Our last 3 outbound contacts went unanswered.",
        "ILLUSORY_PIPELINE": "A purchase forecast is overdue or was missed.",
        "TOUCH_GROUND": "A purchase forecast is open with no contact in 30 days."}),
    "ClientOrder": ("How a list of clients is sorted.", {
        "SCORE_ASC": "By trust score, lowest first (unscored last).",
        "SCORE_DESC": "By trust score, highest first (unscored last).",
        "OUTSTANDING_DESC": "By money outstanding, most first.",
        "NAME_ASC": "By name."}),
}
