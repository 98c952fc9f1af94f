"""The demo organization that `make run` serves: people, teams and Issues in
several states, so the console has something to show."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from caseroom.app import secret_box
from caseroom.channels.sms import demo as sms_demo
from caseroom.config import Settings
from caseroom.domain.model import (
    AgentPrincipal,
    Channel,
    CustomerPrincipal,
    MessageKind,
    Organization,
    Role,
    Room,
)
from caseroom.domain.status import Action
from caseroom.domain.welcome import Topic
from caseroom.domain.widget import WidgetChanges
from caseroom.services import (
    canned,
    channels,
    conversations,
    issues,
    knowledge,
    messages,
    organizations,
    welcome_bot,
    widget,
)
from caseroom.services.inbound import InboundMessage, receive_inbound
from caseroom.services.outbox import plan_outbox
from caseroom.storage.database import create_engine
from caseroom.storage.migrate import upgrade_async
from caseroom.storage.uow import Database, UnitOfWork

DEMO_SLUG = "demo"
# The demo's mailbox: with no relay set up, what it sends is kept in the local
# capture (Admin > Sent mail).
MAILBOX = "support@demo.caseroom.dev"
ADMIN = ("admin@demo.caseroom.dev", "Alex Admin", "demo-admin-pass")
AGENTS = [
    ("ana@demo.caseroom.dev", "Ana Lopez", "demo-agent-pass"),
    ("ben@demo.caseroom.dev", "Ben Okafor", "demo-agent-pass"),
]
CUSTOMERS = [
    ("Maria Rossi", "maria@example.com", None, "My order #4411 has not arrived yet."),
    ("Tom Becker", None, "+4915112345678", "How do I change my billing address?"),
    ("Priya Shah", "priya@example.com", None, "The app crashes when I upload a photo."),
    ("Lee Chen", "lee@example.com", None, "Can I get an invoice for March?"),
    ("Sam Novak", "sam@example.com", None, "Thanks, all sorted now!"),
]
# A Customer who writes by SMS (to the demo provider's number).
TEXTER = (
    "Jordan Park",
    "+14155550123",
    ("Hi! Do you ship to Canada?", "It's for a Ridge 38 pack, size M 🎒"),
)
# The organization's reply templates, as an admin would write them.
CANNED = [
    (
        "Greeting",
        "hi",
        "Hi {{customer.first_name|there}}, thanks for reaching out! I'm {{agent.first_name}} "
        "and I'll take care of this.",
        ("greeting",),
    ),
    (
        "Where is my order",
        "order",
        "I've checked your order: it is on its way. You will get the tracking link by email "
        "within a day. Your reference with us is {{issue.reference}}.",
        ("orders", "shipping"),
    ),
    (
        "Billing address",
        "billing",
        "You can change your billing address under Account > Billing. Changes apply from "
        "the next invoice.",
        ("billing",),
    ),
    (
        "Closing",
        "bye",
        "Glad I could help, {{customer.first_name|there}}! If anything else comes up, just "
        "reply here. Have a great day from all of us at {{organization.name}}.",
        ("closing",),
    ),
]
DEMO_LOOK = WidgetChanges(
    color="#0f766e",
    title="Questions? Ask us.",
    greeting="Hi there! We're online and usually reply within a few minutes.",
)


def logins() -> str:
    lines = ["Demo logins (organization 'demo'):"]
    for email, name, password in [ADMIN, *AGENTS]:
        lines.append(f"  {name:<12} {email:<28} password: {password}")
    lines.append(
        "Customer chat: /connect/demo (phone page), /embed/demo (in-app); on a site: "
        '<script src="<this server>/widget.js" data-org="demo" async></script>'
    )
    lines.append(f"Demo mailbox: {MAILBOX} (mail it through the SMTP port, see README)")
    return "\n".join(lines)


async def load_demo(settings: Settings) -> str:
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)

    # The app's keys seal the mailbox's secret; the outbox plans the demo's email
    # delivery, which the server's worker sends (into the local capture).
    db = Database(engine, _discard, plan_outbox=plan_outbox, secret_box=secret_box(settings))
    try:
        if await db.read(lambda uow: uow.organizations.by_slug(DEMO_SLUG)) is None:
            org = await db.run(_populate)
            # Its own transaction: the welcome bot greets new chats, not the demo's.
            await db.run(lambda uow: _bots_and_knowledge(uow, org))
        await db.run(lambda uow: _texting(uow, settings.public_url))
    finally:
        await engine.dispose()
    return logins()


async def _discard(events: object) -> None:
    """Nothing is listening while the demo loads."""


async def _populate(uow: UnitOfWork) -> Organization:
    org = await organizations.create_organization(
        uow, DEMO_SLUG, "Demo Outfitters", max_open_issues_per_agent=25
    )
    admin = await organizations.add_agent(
        uow, org, email=ADMIN[0], name=ADMIN[1], password=ADMIN[2], role=Role.ADMIN
    )
    ana, ben = [
        await organizations.add_agent(uow, org, email=e, name=n, password=p) for e, n, p in AGENTS
    ]
    support = await organizations.add_team(
        uow,
        org,
        "Support",
        members=[admin, ana, ben],
        hours="Mon-Fri 09:00-17:00",
        timezone="Europe/Berlin",
    )
    await organizations.add_team(uow, org, "Billing", members=[ben], hours="Mon-Fri 10:00-16:00")
    await widget.change_widget_settings(AgentPrincipal(org.id, admin), uow, DEMO_LOOK)
    await widget.do_set_identity_secret(uow, org.id, secret_bytes=32)
    # Video calls on, with no STUN or TURN: browsers on one network meet directly.
    await uow.channels.put(
        org.id, Channel.VIDEO, enabled=True, config={}, secrets={}, now=datetime.now(UTC)
    )
    await channels.put_channel_settings(
        AgentPrincipal(org.id, admin),
        uow,
        Channel.EMAIL,
        enabled=True,
        config={"address": MAILBOX, "display_name": "Demo Outfitters"},
        secrets={"reply_token_key": secrets.token_urlsafe(32)},
    )
    limits = canned.Limits(body_chars=20_000, tags=20, count=1000)
    for title, shortcut, body, tags in CANNED:
        draft = canned.CannedDraft(title, body, shortcut, tags)
        await canned.create_canned(
            AgentPrincipal(org.id, admin), uow, draft, personal=False, limits=limits
        )
    ana_p = AgentPrincipal(org.id, ana)
    ben_p = AgentPrincipal(org.id, ben)
    started = []
    for name, email, phone, text in CUSTOMERS:
        contact = conversations.Contact(name=name, email=email, phone=phone)
        started.append(
            await conversations.start_conversation(
                uow,
                DEMO_SLUG,
                contact,
                subject=None,
                message=text,
                idempotency_key=secrets.token_urlsafe(16),
                token_ttl=timedelta(days=1),
                max_chars=20_000,
            )
        )
        await issues.assign_issue(
            ana_p, uow, started[-1].issue.id, agent_id=None, team_id=support.id
        )
    # Maria: claimed by Ana, a reply, a private exchange and a log note.
    maria = started[0].issue.id
    await issues.claim_issue(ana_p, uow, maria)
    await _say(ana_p, uow, maria, Room.PUBLIC, "Hi Maria, let me check the tracking for you.")
    await _say(ana_p, uow, maria, Room.PRIVATE, "Ben, is the carrier still delayed in Milan?")
    await _say(ben_p, uow, maria, Room.PRIVATE, "Yes, two more days. Offer a voucher?")
    await _say(ana_p, uow, maria, Room.PUBLIC, "Customer prefers email updates.", MessageKind.NOTE)
    await _say(
        ana_p,
        uow,
        maria,
        Room.PUBLIC,
        "The carrier confirms your parcel reaches Milan on Thursday. I'll email you the "
        "tracking link as soon as it moves.",
        channel=Channel.EMAIL,
    )
    # Tom: claimed by Ben. Priya: unclaimed, waiting. Lee: resolved. Sam: closed.
    await issues.claim_issue(ben_p, uow, started[1].issue.id)
    lee = started[3].issue.id
    await issues.claim_issue(ana_p, uow, lee)
    await _say(ana_p, uow, lee, Room.PUBLIC, "Here is your invoice link; anything else?")
    await issues.change_status(ana_p, uow, lee, Action.RESOLVE)
    sam = started[4].issue.id
    await issues.claim_issue(ben_p, uow, sam)
    await issues.change_status(ben_p, uow, sam, Action.RESOLVE)
    await issues.change_status(ben_p, uow, sam, Action.CLOSE)
    priya = CustomerPrincipal(org.id, started[2].customer, None)
    await _say(priya, uow, started[2].issue.id, Room.PUBLIC, "It happens on Android 15.")
    return org


async def _texting(uow: UnitOfWork, public_url: str) -> None:
    """The demo's SMS number (at the built-in demo provider), and a Customer who
    texted it. Run again, it changes nothing."""
    org = await uow.organizations.by_slug(DEMO_SLUG)
    if org is None or await uow.channels.get(org.id, Channel.SMS) is not None:
        return
    await sms_demo.set_up_demo_sms(uow, org.id, public_url)
    number = TEXTER[1]
    for index, text in enumerate(TEXTER[2]):
        inbound = InboundMessage(
            channel=Channel.SMS,
            org_id=org.id,
            contact=conversations.Contact(name=TEXTER[0], phone=number),
            address=number,
            provider_id=f"SMdemo{index}",
            body=text,
            continue_open=True,
        )
        await receive_inbound(uow, inbound, max_chars=20_000)


ARTICLES = (
    ("Returns and exchanges", "Return anything within **60 days**: open *Orders*, choose "
     "**Return**, and print the label. Exchanges ship as soon as the return is scanned.",
     ("returns",)),
    ("Where is my order?", "Every order gets a tracking link by email when it ships. "
     "Parcels take 2-4 working days; the carrier's page shows delays.", ("shipping",)),
    ("Invoices and billing", "Invoices are under *Account*, then **Billing**. A wrong "
     "invoice? Reply with the order number and we correct it.", ("billing",)),
)  # fmt: skip


async def _bots_and_knowledge(uow: UnitOfWork, org: Organization) -> None:
    """The welcome bot greets new web chats; the articles are what it and #kb find."""
    agents = await uow.agents.list(org.id)
    admin = AgentPrincipal(org.id, next(a for a in agents if a.role is Role.ADMIN))
    teams = {team.name: team.id for team in await uow.teams.list(org.id)}
    support_id, billing_id = teams["Support"], teams["Billing"]
    for title, body, tags in ARTICLES:
        await knowledge.create_article(
            admin, uow, knowledge.ArticleDraft(title, body, tags, None, True)
        )
    await welcome_bot.set_up_welcome_bot(
        admin,
        uow,
        active=True,
        name="Ava",
        greeting="Hi, I am Ava, Demo Outfitters' virtual assistant. I can answer right away "
        "or find you a person.",
        topics=[
            Topic("Returns", support_id),
            Topic("Shipping", support_id),
            Topic("Billing", billing_id),
        ],
    )


async def _say(
    principal: AgentPrincipal | CustomerPrincipal,
    uow: UnitOfWork,
    issue_id: str,
    room: Room,
    text: str,
    kind: MessageKind = MessageKind.MESSAGE,
    channel: Channel = Channel.CHAT,
) -> None:
    new = messages.NewMessage(room, text, kind, channel, None)
    await messages.send_message(principal, uow, issue_id, new, max_chars=20_000)
