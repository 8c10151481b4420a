"""The demo's stories: a dozen made-up clients of a vendor selling a B2B operations
platform (licences, integrations, rollout and support), each history told with the
builder (`api.demo.builder`).  The clients are fictional."""

from __future__ import annotations

from api.demo.builder import History


def reliable_payer(h: History) -> None:
    h.onboard(420, "Nordlicht Logistik GmbH", "EUR", "freight logistics", "Europe/Berlin")
    h.contact(418, "MEETING", "OUTBOUND", "CHECK_IN",
              "Kick-off in Hamburg with the head of dispatch and the finance lead", True)
    p = h.promise(416, "VENDOR", "DELIVERY",
                  "Dispatch board configured for the Hamburg and Leipzig depots", 396)
    e = h.expectation(416, "CLIENT", "DELIVERY",
                      "Both depots on the new dispatch board before the autumn peak", 390)
    h.kept(398, p)
    h.add(398, "ExpectationMet", {"expectationId": e})
    for n, ago in enumerate(range(410, 19, -30), 1):
        inv = h.invoice(ago, "2450.00", f"Fleet platform subscription, month {n}")
        if ago >= 26:
            h.pay(ago - 26, "2450.00", inv)
    module = h.invoice(215, "9800.00", "Route-optimisation module, one-off licence")
    h.contact(202, "EMAIL", "INBOUND", "COLLECTION",
              "Finance confirmed the route-optimisation invoice is in the next payment run")
    h.promise(202, "CLIENT", "PAYMENT",
                    "Pay the route-optimisation invoice in the payment run of the 20th", 192,
                    "9800.00", module)
    h.pay(193, "9800.00", module)
    guide = h.promise(160, "VENDOR", "SUPPORT", "German-language guide for dispatchers", 130)
    h.kept(134, guide)
    c = h.complaint(150, "CLIENT", "COMMUNICATION", "LOW",
                    "Release notes for the spring update arrived after the change went live")
    h.acknowledged(149, c)
    h.resolved(146, c, "Our release notes went out on release day instead of a week before",
               "Walked the dispatch team through the changes in a 30-minute call",
               "Release notes now go out seven days ahead; the release is blocked without them")
    data = h.promise(100, "CLIENT", "OTHER",
                     "Send opening hours and dock plans of the new Dresden depot", 90)
    h.kept(92, data)
    tele = h.promise(90, "VENDOR", "INTEGRATION",
                     "Telematics feed of the 40 new trucks connected to the dispatch board", 60)
    h.kept(63, tele)
    h.contact(45, "MEETING", "OUTBOUND", "CHECK_IN",
              "Quarterly review: on-time deliveries up 6%, no open issues", True)


def integration_slipped(h: History) -> None:
    h.onboard(300, "Brightwave Retail S.L.", "EUR", "fashion retail", "Europe/Madrid")
    h.contact(296, "MEETING", "OUTBOUND", "SALES",
              "Scoping of the web-store-to-warehouse integration with the e-commerce lead", True)
    e = h.expectation(292, "CLIENT", "INTEGRATION",
                      "E-commerce lead expects live stock sync within one week, before the "
                      "spring campaign", 285)
    p = h.promise(292, "VENDOR", "INTEGRATION",
                  "Web-store-to-warehouse integration live in three weeks", 271)
    setup = h.invoice(290, "6500.00", "Integration project, set-up fee")
    h.contact(285, "EMAIL", "INBOUND", "SUPPORT",
              "Asked why stock sync is not live; the campaign starts in ten days")
    h.contact(272, "PHONE", "OUTBOUND", "SUPPORT",
              "Explained that the SKU mapping needs about two more weeks", True)
    c = h.complaint(268, "CLIENT", "DELAY", "HIGH",
                    "Spring campaign launched without live stock sync; 38 orders oversold", p)
    h.acknowledged(267, c)
    h.pay(262, "6500.00", setup)
    h.kept(257, p)
    h.add(257, "ExpectationMet", {"expectationId": e})
    h.resolved(250, c,
               "We promised three weeks without auditing the warehouse SKU data, and never "
               "told Brightwave that one week was out of reach",
               "Integration live since go-live day; the 38 oversold orders were refunded at "
               "our cost and stock reconciled",
               "Every integration estimate now starts with a data-mapping audit, and we "
               "confirm the client's date in writing before committing")
    for n, ago in enumerate(range(260, 19, -30), 1):
        inv = h.invoice(ago, "1850.00", f"Commerce platform subscription, month {n}")
        if ago >= 26:
            h.pay(ago - 26, "1850.00", inv)
    returns = h.promise(120, "VENDOR", "INTEGRATION",
                        "Returns flow synced with the warehouse", 90)
    h.kept(94, returns)
    h.contact(60, "MEETING", "OUTBOUND", "CHECK_IN",
              "Review with the e-commerce lead: sync stable, returns flow in use", True)


def ready_to_buy(h: History) -> None:
    h.onboard(120, "Halcyon Hotels Group", "EUR", "hospitality", "Europe/Lisbon")
    h.contact(118, "MEETING", "INBOUND", "SALES",
              "Met the COO at the trade fair: wants housekeeping software for 14 hotels")
    proposal = h.promise(110, "VENDOR", "OTHER",
                         "Priced proposal for the 14-hotel rollout", 100)
    workshop = h.invoice(105, "3200.00", "Discovery workshop, two days in Lisbon")
    h.kept(101, proposal)
    h.contact(100, "MEETING", "OUTBOUND", "SALES",
              "Presented the proposal; COO: we are ready to buy, sign-off at the next board "
              "meeting", True)
    h.expectation(100, "VENDOR", "PURCHASE",
                  "COO said the group is ready to buy the 14-hotel rollout after the board "
                  "meeting", 60, "84000.00")
    h.pay(80, "3200.00", workshop)
    h.contact(75, "EMAIL", "OUTBOUND", "SALES", "Sent the contract for signature", False)
    h.contact(62, "PHONE", "OUTBOUND", "SALES",
              "COO's assistant: the board meeting was moved, no new date yet", True)
    h.contact(48, "EMAIL", "OUTBOUND", "SALES",
              "Asked whether the board has approved the rollout", False)


def let_go(h: History) -> None:
    h.onboard(400, "Vantor Media Ltd", "GBP", "digital publishing", "Europe/London")
    for n, ago in enumerate(range(390, 29, -30), 1):
        inv = h.invoice(ago, "2200.00", f"Publishing platform licence, month {n}")
        # paid ten days late once the relationship soured; the last one after it ended
        h.pay(10 if ago == 30 else ago - 40 if ago <= 150 else ago - 25, "2200.00", inv)
    h.request(300, "Five more editor seats", True)
    h.request(150, "Write and edit their weekly newsletter copy", False)
    h.request(110, "Host and transcode their video library", False)
    h.request(70, "24/7 on-call support on the basic plan", False)
    h.advice(170, "Test the new paywall on 10% of readers before rolling it out", 165, False,
             "Rolled it out to everyone the same day")
    h.advice(130, "Archive 40,000 stale articles to make search usable", 125, False,
             "Refused: every article must stay live")
    h.advice(95, "Keep image uploads under 2 MB; large files slow every page", 93, True,
             "Agreed for new uploads")
    h.advice(60, "Give editors their own accounts instead of one shared login", 58, False,
             "Refused: they prefer the shared login")
    h.advice(45, "Enable two-factor sign-in after last week's suspicious logins", 43, False,
             "Refused as too much friction")
    h.complaint(140, "VENDOR", "BEHAVIOUR", "HIGH",
                "Managing editor shouted at our support engineer and threatened to have him "
                "fired over a browser cache issue")
    c = h.complaint(108, "CLIENT", "SERVICE_FAILURE", "LOW",
                    "Says the platform should include newsletter writing")
    h.acknowledged(107, c)
    h.resolved(100, c, "Our plan page did not say editorial services are not included",
               "Explained the scope in writing and pointed them to two editorial agencies",
               "The plan page and the order form now list what is not included")
    h.complaint(80, "VENDOR", "BEHAVIOUR", "HIGH",
                "Abusive late-night messages to our account manager's personal phone")
    h.complaint(35, "VENDOR", "BEHAVIOUR", "MEDIUM",
                "Insulted our trainer in front of the newsroom during a session")
    h.contact(28, "MEETING", "OUTBOUND", "CHECK_IN",
              "Told the publisher kindly that we will part ways and agreed a migration plan",
              True)
    h.add(21, "RelationshipEnded", {
        "reason": "MISTREATMENT",
        "note": "Ended kindly after repeated abuse of our staff, demands outside our offering "
                "and advice rejected; full content export handed over, two agencies "
                "recommended"})
    h.contact(12, "EMAIL", "OUTBOUND", "SUPPORT",
              "Confirmed the content export was downloaded and access closed", True)


def chased_too_often(h: History) -> None:
    h.onboard(240, "Corvid Analytics B.V.", "EUR", "data analytics", "Europe/Amsterdam")
    paid_on = {230: 205, 200: 173, 170: 143, 140: 100, 110: 70}
    for n, ago in enumerate(range(230, 49, -30), 1):
        inv = h.invoice(ago, "3900.00", f"Analytics workspace subscription, month {n}")
        if ago in paid_on:
            h.pay(paid_on[ago], "3900.00", inv)
    h.contact(105, "EMAIL", "OUTBOUND", "COLLECTION", "Reminder: month 4 is overdue", True)
    h.contact(45, "EMAIL", "OUTBOUND", "COLLECTION",
              "Reminder: month 6 is overdue; finance said next payment run", True)
    h.contact(30, "PHONE", "INBOUND", "COLLECTION",
              "Controller: the payment for months 6 and 7 is waiting for CFO approval")
    for ago, channel, summary in (
            (6, "EMAIL", "Reminder: 7,800 overdue"),
            (5, "PHONE", "Called accounts payable, voicemail"),
            (4, "MESSAGE", "Message to the controller asking for a payment date"),
            (2, "EMAIL", "Second reminder with both invoices attached"),
            (1, "PHONE", "Called the CFO's office, no answer"),
            (0, "LETTER", "Formal reminder letter sent")):
        h.contact(ago, channel, "OUTBOUND", "COLLECTION", summary, False)


def forced_sale(h: History) -> None:
    h.onboard(260, "Tallis & Reed Bakeries", "EUR", "bakery chain, six shops", "Europe/Dublin")
    h.contact(258, "MEETING", "OUTBOUND", "SALES",
              "Sold the full enterprise suite although the owner asked only for new tills", True)
    rollout = h.promise(255, "VENDOR", "DELIVERY", "Full suite rolled out in all six shops",
                        235)
    h.kept(233, rollout)
    inv = h.invoice(230, "36000.00", "Enterprise suite: licences, rollout and training for "
                                     "six shops")
    h.contact(198, "EMAIL", "OUTBOUND", "COLLECTION", "Reminder: the suite invoice is due", True)
    h.contact(195, "PHONE", "INBOUND", "COLLECTION",
              "Owner: cash is tight after the winter, will pay in full within the month")
    h.promise(195, "CLIENT", "PAYMENT", "Pay the suite invoice in full", 170, "36000.00", inv)
    h.pay(172, "5000.00", inv)
    h.contact(165, "PHONE", "INBOUND", "COLLECTION", "Owner: can pay 10,000 within two weeks")
    h.promise(165, "CLIENT", "PAYMENT", "Pay 10,000 towards the suite invoice", 150,
              "10000.00", inv)
    h.pay(150, "4000.00", inv)
    c = h.complaint(148, "CLIENT", "BILLING", "MEDIUM",
                    "Owner says he never needed the full suite and cannot afford it")
    h.acknowledged(147, c)
    h.contact(146, "MEETING", "OUTBOUND", "COLLECTION",
              "Met the owner: agreed six monthly instalments for the remaining 27,000", True)
    h.add(145, "PaymentPlanAgreed", {
        "planId": "PL-1", "invoiceIds": [inv],
        "instalments": [{"dueOn": h.on(due), "amount": "4500.00"}
                        for due in (115, 85, 55, 25, -5, -35)]})
    h.resolved(140, c,
               "We sold a six-shop bakery the full suite when the owner asked for tills; the "
               "price never fitted his budget",
               "Interest-free six-month plan agreed; inventory and HR modules removed from "
               "the renewal",
               "Proposals now start from the client's stated need and budget, and a second "
               "person reviews any sale above 10,000")
    h.pay(80, "4500.00", inv)
    # the second instalment was keyed in as 5,400; finance noticed two days later
    h.mistake(45, "PaymentReceived", h.payment("5400.00", inv), h.payment("4500.00", inv),
              2, "Amount keyed in wrong: the bank statement shows 4,500.00")
    h.contact(30, "PHONE", "INBOUND", "COLLECTION",
              "Owner: the third instalment will be paid within two weeks")
    h.promise(30, "CLIENT", "PAYMENT", "Pay the third instalment", 15, "4500.00", inv)
    # a part payment found on the bank statement a week after it arrived
    h.pay(10, "2500.00", inv, late=7)


def disputed_invoice(h: History) -> None:
    h.onboard(330, "Meridian Dental Clinics", "EUR", "dental care, nine clinics", "Europe/Rome")
    invoices = {}
    for n, ago in enumerate(range(320, 19, -30), 1):
        seats = 12 if ago >= 140 else 8  # four seats cancelled before the invoice of day 140
        invoices[ago] = h.invoice(ago, f"{seats * 200}.00",
                                  f"Practice-management licences, {seats} seats, month {n}")
        if ago >= 25 and ago != 140:
            h.pay(ago - 25, f"{seats * 200}.00", invoices[ago])
    disputed = invoices[140]
    h.contact(150, "EMAIL", "INBOUND", "SUPPORT",
              "Office manager cancelled four seats after closing the Bari clinic")
    h.add(135, "InvoiceDisputed", {
        "invoiceId": disputed,
        "reason": "Billed 12 seats although four were cancelled in writing before the period"})
    c = h.complaint(135, "CLIENT", "BILLING", "MEDIUM",
                    "Invoiced for seats cancelled in writing")
    h.acknowledged(134, c)
    h.add(120, "InvoiceDisputeResolved", {"invoiceId": disputed, "outcome": "UPHELD",
                                          "creditAmount": "800.00"})
    h.resolved(120, c, "The seat cancellation was read but never entered in billing",
               "Credit note of 800.00 for the four cancelled seats",
               "Seat changes are now entered by billing the day they arrive and confirmed by "
               "email")
    h.pay(115, "1600.00", disputed)
    h.contact(60, "MEETING", "OUTBOUND", "CHECK_IN",
              "Six-month review with the clinical director: no open issues", True)


def yes_to_everything(h: History) -> None:
    h.onboard(280, "Orbis Payments Inc.", "USD", "payments fintech", "America/New_York")
    for n, ago in enumerate(range(270, 29, -30), 1):
        inv = h.invoice(ago, "5500.00", f"Platform licence and premium support, month {n}")
        h.pay(ago - 27, "5500.00", inv)
    sandbox = h.promise(275, "VENDOR", "DELIVERY", "Sandbox environment ready", 260)
    h.kept(262, sandbox)
    core = h.promise(250, "VENDOR", "INTEGRATION", "Core-banking connector live", 220)
    h.request(235, "24/7 phone support by our own engineers", False)
    support = h.promise(230, "VENDOR", "SUPPORT",
                        "24/7 phone support, although our plans cover business hours", 215)
    h.kept(200, core)
    reports = h.promise(200, "VENDOR", "DELIVERY", "Custom fraud-report pack", 170)
    h.broken(180, support, "We could not staff nights; support stays business hours")
    h.kept(158, reports)
    uptime = h.promise(160, "VENDOR", "SERVICE_LEVEL", "99.99% uptime in the spring quarter",
                       100)
    training = h.promise(140, "VENDOR", "OTHER", "On-site training in New York", 120)
    h.add(121, "PromiseRenegotiated", {"promiseId": training, "newDueOn": h.on(95),
                                       "reason": "Trainer double-booked"})
    c1 = h.complaint(103, "CLIENT", "SERVICE_FAILURE", "HIGH",
                     "Two outages during month-end settlement", uptime)
    h.acknowledged(102, c1)
    h.broken(100, uptime, "Two outages brought the quarter to 99.82%")
    h.request(95, "Mobile SDK for iOS and Android", False)
    sdk = h.promise(92, "VENDOR", "INTEGRATION", "Mobile SDK for iOS and Android", 30)
    h.kept(95, training)
    h.resolved(88, c1, "A failed database failover took settlement down twice",
               "Failover fixed and tested; service credits applied to the next invoice",
               "Monthly failover drills, and no uptime promise beyond our published 99.9%")
    board = h.promise(40, "VENDOR", "DELIVERY", "Real-time dashboard for the board meeting",
                      30)
    h.kept(33, board)
    c2 = h.complaint(20, "CLIENT", "DELAY", "MEDIUM",
                     "Mobile SDK still not delivered; their app launch has slipped", sdk)
    h.acknowledged(19, c2)


def bounced_transfer(h: History) -> None:
    h.onboard(200, "Lumen Architects", "EUR", "architecture practice", "Europe/Paris")
    for n, ago in enumerate(range(190, 39, -30), 1):
        inv = h.invoice(ago, "1200.00", f"BIM collaboration suite, month {n}")
        h.pay(ago - 28, "1200.00", inv)
    survey = h.invoice(70, "4750.00", "Site-survey module and two days of training")
    bounced = h.pay(42, "4750.00", survey)
    h.add(36, "PaymentReversed", {
        "paymentId": bounced,
        "reason": "Transfer returned by the client's bank: account closed after a bank switch"})
    h.contact(35, "PHONE", "OUTBOUND", "COLLECTION",
              "Told the office manager the transfer bounced; she will ask the partners to "
              "resend from the new account", True)
    h.contact(8, "EMAIL", "INBOUND", "COLLECTION",
              "New bank mandate awaits a partner's signature; payment will be resent")
    h.promise(8, "CLIENT", "PAYMENT", "Resend the site-survey payment from the new account",
              -5, "4750.00", survey)


def newcomer(h: History) -> None:
    h.onboard(12, "Kestrel Design Studio", "EUR", "brand design", "Europe/Madrid")
    h.contact(12, "EMAIL", "INBOUND", "SALES",
              "Asked for a demo after a recommendation from another client")
    h.contact(9, "MEETING", "OUTBOUND", "SALES",
              "Demo of project tracking to the two founders", True)
    h.request(5, "Trial workspace for five designers", True)


def written_off(h: History) -> None:
    h.onboard(360, "Greyfield Construction S.A.", "EUR", "construction", "Europe/Brussels")
    site = h.promise(355, "VENDOR", "DELIVERY", "Site-management app on 25 foremen's tablets",
                     335)
    h.kept(337, site)
    q1 = h.invoice(350, "4200.00", "Site-management platform, quarterly licence")
    h.pay(325, "4200.00", q1)
    q2 = h.invoice(260, "4200.00", "Site-management platform, quarterly licence")
    h.pay(222, "4200.00", q2)
    q3 = h.invoice(170, "4200.00", "Site-management platform, quarterly licence")
    h.contact(135, "PHONE", "OUTBOUND", "COLLECTION",
              "Finance director: the Charleroi site is halted, their own customer is not "
              "paying", True)
    h.promise(130, "CLIENT", "PAYMENT", "Pay the third-quarter licence", 110, "4200.00", q3)
    h.pay(112, "1500.00", q3)
    q4 = h.invoice(80, "4200.00", "Site-management platform, quarterly licence")
    h.contact(100, "EMAIL", "OUTBOUND", "COLLECTION", "Reminder: 2,700 still due", False)
    h.contact(85, "PHONE", "OUTBOUND", "COLLECTION", "Called the finance director, no answer",
              False)
    h.contact(55, "LETTER", "OUTBOUND", "COLLECTION", "Registered reminder letter", False)
    h.contact(40, "LETTER", "INBOUND", "COLLECTION",
              "Court administrator: Greyfield is in judicial reorganisation; unsecured "
              "creditors should expect little")
    h.add(30, "InvoiceWrittenOff", {"invoiceId": q3, "amount": "2700.00",
                                    "reason": "Judicial reorganisation; recovery not expected"})
    h.add(30, "InvoiceWrittenOff", {"invoiceId": q4, "amount": "4200.00",
                                    "reason": "Judicial reorganisation; recovery not expected"})
    h.add(30, "RelationshipEnded", {
        "reason": "NON_PAYMENT",
        "note": "6,900 written off after the client entered judicial reorganisation; data "
                "export sent to the administrator"})


def plan_honoured(h: History) -> None:
    h.onboard(400, "Aldana Wholesale Foods", "EUR", "food wholesale", "Europe/Madrid")
    licence = h.invoice(395, "14400.00", "Warehouse platform, annual licence")
    h.pay(368, "14400.00", licence)
    for n, ago in enumerate(range(390, 29, -90), 1):
        inv = h.invoice(ago, "1350.00", f"Support and hosting, quarter {n}")
        h.pay(ago - 25, "1350.00", inv)
    live = h.promise(180, "VENDOR", "DELIVERY", "Second warehouse live with 30 scanners", 150)
    expansion = h.invoice(175, "18000.00", "Second-warehouse expansion: licences, scanners "
                                           "and rollout")
    h.contact(170, "PHONE", "INBOUND", "COLLECTION",
              "CFO asked to spread the expansion over six months because of seasonal stock "
              "build-up")
    h.add(168, "PaymentPlanAgreed", {
        "planId": "PL-1", "invoiceIds": [expansion],
        "instalments": [{"dueOn": h.on(due), "amount": "3000.00"}
                        for due in (140, 110, 80, 50, 20, -10)]})
    h.kept(152, live)
    for paid in (141, 112, 80, 52, 21):
        h.pay(paid, "3000.00", expansion)
    h.contact(60, "MEETING", "OUTBOUND", "CHECK_IN",
              "Review with the CFO: both warehouses on the platform, plan on track", True)
