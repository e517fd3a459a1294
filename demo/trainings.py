"""Demo collective days for the current season of the demo programme.

Venues across the territory (the CAE's office in Montélimar and two tiers-lieux), trainers from the Rhône
valley and one from Lyon, the season's monthly days made by the calendar generator, invitations, answers,
and the attendance of the days already held. Safe to run again: everything is looked up by its natural
key, and answers or marks already there are kept.
"""

import datetime
import random
import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cohorts.models import Cohort, Programme
from incubator.models import PartnerStructure, Territory, User
from outbox.models import OutgoingMail
from trainings import services
from trainings.models import Attendance, Mailing, Survey, Trainer, TrainingSession, Venue

PROGRAMME = "Accompagnement partagé Drôme-Ardèche"
DEMO_DOMAIN = "formation.demo.example"  # reserved top-level domain: never delivered anywhere
SECOND = 2
TUESDAY = 1

VENUES = [
    {
        "name": "CAE Prisme — bureaux de Montélimar",
        "commune": "Montélimar",
        "kind": Venue.Kind.PARTNER_OFFICE,
        "address": "14 avenue Saint-Martin",
        "postcode": "26200",
        "department": "26",
        "latitude": "44.558100",
        "longitude": "4.750900",
        "capacity": 30,
        "step_free_access": True,
        "public_transport": True,
        "parking": True,
        "accessibility_notes": "À dix minutes à pied de la gare de Montélimar. Salle au rez-de-chaussée.",
        "contact_name": "Accueil de la CAE",
        "partner": "CAE Prisme",
    },
    {
        "name": "La Fabrique de la Drôme",
        "commune": "Crest",
        "kind": Venue.Kind.THIRD_PLACE,
        "address": "3 quai Soubeyran",
        "postcode": "26400",
        "department": "26",
        "latitude": "44.728300",
        "longitude": "5.022500",
        "capacity": 25,
        "step_free_access": True,
        "public_transport": True,
        "parking": False,
        "accessibility_notes": "Gare de Crest à 500 m. Stationnement sur le parking de la Saleine.",
        "contact_name": "Équipe du tiers-lieu",
    },
    {
        "name": "Le Moulinage des Boutières",
        "commune": "Privas",
        "kind": Venue.Kind.THIRD_PLACE,
        "address": "8 chemin du Moulinage",
        "postcode": "07000",
        "department": "07",
        "latitude": "44.735300",
        "longitude": "4.599200",
        "capacity": 20,
        "step_free_access": False,
        "public_transport": False,
        "parking": True,
        "accessibility_notes": "Salle à l'étage, sans ascenseur. Covoiturage organisé depuis la gare routière de Privas.",
        "contact_name": "Association du Moulinage",
    },
]

TRAINERS = [
    {
        "name": "Claire Vial",
        "organisation": "Coopérative Terres d'Envol",
        "home_commune": "Valence",
        "department": "26",
        "topics": "Modèle économique hybride, financements solidaires",
        "daily_rate": "650.00",
    },
    {
        "name": "Mathieu Roux",
        "organisation": "Atelier Rhône Coop",
        "home_commune": "Tournon-sur-Rhône",
        "department": "07",
        "topics": "Gouvernance coopérative, SCIC et associations",
        "daily_rate": "600.00",
    },
    {
        "name": "Nadia Benali",
        "organisation": "Indépendante, entrepreneure-salariée de la CAE Prisme",
        "home_commune": "Montélimar",
        "department": "26",
        "topics": "Animation de collectifs, facilitation",
        "daily_rate": "550.00",
    },
    {
        "name": "Julien Perrin",
        "organisation": "Union régionale des Scop et Scic",
        "home_commune": "Lyon",
        "department": None,  # lives outside the programme's territories: not local
        "topics": "Statuts juridiques, droit coopératif",
        "daily_rate": "700.00",
    },
]

# One theme per month of the season, in order.
TOPICS = [
    "Lancement de la saison : se présenter, présenter son projet",
    "Le besoin social : le documenter et le faire reconnaître",
    "Le collectif : qui décide quoi ?",
    "Le modèle économique hybride",
    "Les statuts : association, SCIC, SCOP",
    "Les financements publics et privés",
    "Le prévisionnel financier",
    "L'ancrage territorial : rencontrer les acteurs locaux",
    "Parler de son projet : le pitch",
    "Les partenariats avec les collectivités",
    "Recruter et employer",
    "Mesurer son impact social",
    "La communication de proximité",
    "Les premiers mois d'activité",
    "Bilan de la saison et suites",
]
WHAT_TO_BRING = "Un ordinateur portable si vous en avez un, vos chiffres à jour, de quoi partager le repas de midi."


@transaction.atomic
def seed_trainings(*, stdout, trainer_login: str = "", password: str = "") -> None:
    programme = Programme.objects.filter(name=PROGRAMME).first()
    cohort = Cohort.objects.filter(programme=programme).current().first() if programme else None
    if cohort is None:
        stdout.write("Pas de saison en cours pour le programme de démonstration : journées collectives non créées.")
        return

    # Each entry is kept by one of the programme's structures, taken in turn, unless the spec names it.
    owners = list(programme.partners.order_by("pk"))
    venues = [_venue(spec, owner=owners[i % len(owners)]) for i, spec in enumerate(VENUES)]
    trainers = [_trainer(spec, owner=owners[i % len(owners)]) for i, spec in enumerate(TRAINERS)]
    if trainer_login:
        _give_login(trainers[0], email=trainer_login, password=password)
    before = cohort.training_sessions.count()
    # skip_august=False: the demo season has its 15 monthly days, one per month.
    services.generate_calendar(
        cohort=cohort,
        weekday=TUESDAY,
        nth=SECOND,
        skip_august=False,
        venues=venues,
        title="Journée collective",
        dry_run=False,
    )
    sessions = list(cohort.training_sessions.order_by("date").prefetch_related("trainers"))
    today = timezone.localdate()
    for index, session in enumerate(sessions):
        _describe(session, index, trainers, today)
    # The days already past are invited too: the demo season began before the demo was loaded.
    services.invite_members(sessions=sessions, include_past=True)
    answered, marked = _answers_and_attendance(sessions, today)
    opinions = _survey_answers(sessions, today)
    mailing = _past_mailing(cohort, sessions, today)

    stdout.write(
        f"Journées collectives : {len(venues)} lieux, {len(trainers)} formateur·rices, "
        f"{len(sessions)} journées dans la {cohort.name} ({len(sessions) - before} ajoutées), "
        f"{answered} réponses, {marked} émargements et {opinions} avis ajoutés ; "
        "attestations de participation sur la page de chaque membre présent·e"
        + (f" ; un message envoyé aux présent·es : « {mailing.subject} »." if mailing else ".")
    )


def _territory(department: str | None) -> Territory | None:
    names = {"26": "Drôme", "07": "Ardèche"}
    if department is None:
        return None
    territory, _ = Territory.objects.get_or_create(name=names[department], defaults={"department_code": department})
    return territory


def _venue(spec: dict, *, owner: PartnerStructure) -> Venue:
    spec = dict(spec)
    partner = spec.pop("partner", None)
    territory = _territory(spec.pop("department"))
    name, commune = spec.pop("name"), spec.pop("commune")
    venue, _ = Venue.objects.get_or_create(
        name=name,
        commune=commune,
        defaults={
            **spec,
            "territory": territory,
            "partner_structure": (PartnerStructure.objects.filter(name=partner).first() if partner else None) or owner,
        },
    )
    return venue


def _trainer(spec: dict, *, owner: PartnerStructure) -> Trainer:
    spec = dict(spec)
    territory = _territory(spec.pop("department"))
    name = spec.pop("name")
    email = f"{name.lower().replace(' ', '.')}@{DEMO_DOMAIN}"
    trainer, _ = Trainer.objects.get_or_create(
        name=name,
        defaults={
            **spec,
            "email": email,
            "home_territory": territory,
            "phone": "04 75 00 00 00",
            "partner_structure": owner,
        },
    )
    return trainer


def _give_login(trainer: Trainer, *, email: str, password: str) -> None:
    """One demo trainer logs in to take attendance at the days they lead."""
    if trainer.user_id:
        return
    user = User.objects.filter(email=email).first()
    if user is None:
        first_name, _, last_name = trainer.name.partition(" ")
        user = User.objects.create_user(email=email, password=password, first_name=first_name, last_name=last_name)
    trainer.user = user
    trainer.save(update_fields=["user"])


def _describe(session: TrainingSession, index: int, trainers: list[Trainer], today: datetime.date) -> None:
    """A theme, trainers in turn and a status for each day; what staff already changed is kept."""
    fields = []
    if not session.topic:
        session.topic = TOPICS[index % len(TOPICS)]
        session.what_to_bring = session.what_to_bring or WHAT_TO_BRING
        fields += ["topic", "what_to_bring"]
    if session.status == TrainingSession.Status.PLANNED:
        if session.date < today:
            session.status = TrainingSession.Status.HELD
            fields.append("status")
        elif session.date <= today + datetime.timedelta(days=45):
            session.status = TrainingSession.Status.CONFIRMED
            fields.append("status")
    if fields:
        session.save(update_fields=fields)
    if not session.trainers.all():
        session.trainers.set([trainers[index % len(trainers)]])


def _answers_and_attendance(sessions: list[TrainingSession], today: datetime.date) -> tuple[int, int]:
    """Past days: answers and presence per half-day; the next two days: some answers already in."""
    upcoming = [s.pk for s in sessions if s.date >= today and s.status != TrainingSession.Status.CANCELLED][:2]
    attendances = Attendance.objects.filter(session__in=sessions).select_related("session", "member")
    answered, marked, changed = 0, 0, []
    for attendance in attendances:
        session = attendance.session
        rng = random.Random(f"{session.date.isoformat()}-{attendance.member.name}")
        roll = rng.random()
        if session.date < today:
            if attendance.response == Attendance.Response.INVITED and not attendance.responded_at:
                changed.append(attendance)
                attendance.response = Attendance.Response.DECLINED if roll < 0.15 else Attendance.Response.CONFIRMED
                attendance.responded_at = timezone.make_aware(
                    datetime.datetime.combine(
                        session.date - datetime.timedelta(days=rng.randint(2, 10)), datetime.time(18)
                    )
                )
                answered += 1
            if not attendance.morning and not attendance.afternoon:
                attendance.morning, attendance.afternoon = _presence(attendance.response, rng)
                marked += 1
                if not changed or changed[-1] is not attendance:
                    changed.append(attendance)
        elif session.pk in upcoming and attendance.response == Attendance.Response.INVITED and roll < 0.7:
            services.answer(
                attendance=attendance,
                response=Attendance.Response.DECLINED if roll < 0.1 else Attendance.Response.CONFIRMED,
            )
            answered += 1
    Attendance.objects.bulk_update(changed, ["response", "responded_at", "morning", "afternoon"])
    return answered, marked


def _presence(response: str, rng: random.Random) -> tuple[str, str]:
    Presence = Attendance.Presence
    if response == Attendance.Response.DECLINED:
        return (Presence.PRESENT, Presence.PRESENT) if rng.random() < 0.1 else (Presence.EXCUSED, Presence.EXCUSED)
    roll = rng.random()
    if roll < 0.8:
        return Presence.PRESENT, Presence.PRESENT
    if roll < 0.9:
        return Presence.PRESENT, Presence.EXCUSED  # left at lunchtime, having said so
    return Presence.ABSENT, Presence.ABSENT


SURVEY_COMMENTS = [
    "Très concret, je repars avec des pistes pour notre budget.",
    "Le lieu était un peu froid le matin, mais quelle belle journée.",
    "Rencontrer les autres projets m'a redonné confiance.",
    "Un peu dense l'après-midi : une pause de plus serait bienvenue.",
]


def _survey_answers(sessions: list[TrainingSession], today: datetime.date) -> int:
    """The word after each past day: asked of everyone present (no mail: the days are long gone), most answered."""
    held = [s for s in sessions if s.status == TrainingSession.Status.HELD and s.date < today]
    asked = set(Survey.objects.filter(session__in=held).values_list("session_id", "member_id"))
    present = Attendance.objects.filter(session__in=held).filter(
        Q(morning=Attendance.Presence.PRESENT) | Q(afternoon=Attendance.Presence.PRESENT)
    )
    rows = []
    for attendance in present.select_related("session", "member"):
        if (attendance.session_id, attendance.member_id) in asked:
            continue
        rng = random.Random(f"avis-{attendance.session.date.isoformat()}-{attendance.member.name}")
        survey = Survey(session=attendance.session, member=attendance.member)
        if rng.random() < 0.7:
            survey.usefulness = rng.choice([3, 4, 4, 5, 5])
            survey.organisation = rng.choice([3, 4, 5, 5])
            survey.comment = rng.choice(SURVEY_COMMENTS) if rng.random() < 0.4 else ""
            survey.answered_at = timezone.make_aware(
                datetime.datetime.combine(attendance.session.date + datetime.timedelta(days=1), datetime.time(12))
            )
        rows.append(survey)
    Survey.objects.bulk_create(rows)
    return sum(1 for row in rows if row.answered_at)


MAILING_SUBJECT = "Merci d'être venu·e, {prénom} !"
MAILING_BODY = """Bonjour {prénom},

Merci d'avoir participé à la journée « {journée} ». Les supports de la journée sont chez la CAE : demandez-les
à votre chargé·e d'accompagnement.

Pensez à nous dire si vous venez à la prochaine journée, depuis votre page :
{lien}

À bientôt,
L'équipe du programme"""


def _past_mailing(cohort: Cohort, sessions: list[TrainingSession], today: datetime.date) -> Mailing | None:
    """A thank-you to those present at the last day held: its mails sent long ago, one of them bounced.

    The key is fixed per season, so that running the demo again finds the mailing and sends nothing more.
    """
    held = [s for s in sessions if s.status == TrainingSession.Status.HELD and s.date < today]
    if not held:
        return None
    day = held[-1]
    sent = services.send_mailing(
        cohort=cohort,
        key=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-mailing-{cohort.pk}"),
        audience=Mailing.Audience.DAY_PRESENT,
        session=day,
        subject=MAILING_SUBJECT,
        body=MAILING_BODY,
        sent_by=User.objects.filter(email="equipe@demo.incubateur.example").first(),
    )
    if sent.created:
        moment = timezone.make_aware(
            datetime.datetime.combine(day.date + datetime.timedelta(days=2), datetime.time(10))
        )
        Mailing.objects.filter(pk=sent.mailing.pk).update(created_at=moment)
        mails = OutgoingMail.objects.filter(mailing_recipient__mailing=sent.mailing).order_by("pk")
        bounced = mails.last()
        mails.update(status=OutgoingMail.Status.SENT, sent_at=moment, attempts=1)
        if bounced is not None:
            OutgoingMail.objects.filter(pk=bounced.pk).update(
                status=OutgoingMail.Status.FAILED,
                sent_at=None,
                last_error="SMTPRecipientsRefused: 550 5.1.1 Adresse inconnue chez le destinataire",
            )
    return sent.mailing
