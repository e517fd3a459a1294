"""Demo data for a first run: the partnership of the article, its seasons, one login per role, and the
candidacies of the past and current seasons in every status, with their reviews and projects.

Safe to run again: everything is looked up by its natural key first, so a second run adds nothing.
Candidacies go through the application's own services (draft, review, decision, acceptance), so the
e-mails those send go out too: to the console in development, to fictional `.example` addresses.
"""

import datetime
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from cohorts.models import Cohort, Programme, season_end_date
from incubator.models import PartnerStructure, Territory, User
from projects import services
from projects.models import (
    ActorMet,
    Candidacy,
    Criterion,
    MeetingFormat,
    Milestone,
    NextStep,
    Outcome,
    Project,
    Review,
    Sector,
    StatusChange,
    Topic,
)
from projects.services.candidacies import _new_reference  # the same reference format as a real submission
from trainings.demo import seed_trainings

DEMO_PASSWORD = "demo-incubateur"
TRAINER_LOGIN = "formatrice@demo.incubateur.example"
APPLICANTS_DOMAIN = "porteurs.demo.example"  # reserved top-level domain: never delivered anywhere
Status = Candidacy.Status
Stage = Candidacy.Stage
Heard = Candidacy.HeardFrom


def _months_before(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _project(name, sector, department, commune, stage, heard_from, status, texts, note=""):
    summary, need, collective, economic_model, anchoring, expectations = texts
    return {
        "name": name,
        "sector": sector,
        "department": department,
        "commune": commune,
        "stage": stage,
        "heard_from": heard_from,
        "status": status,
        "summary": summary,
        "need": need,
        "collective_dimension": collective,
        "economic_model": economic_model,
        "anchoring": anchoring,
        "expectations": expectations,
        "note": note,
    }


# Fictional projects from the article's fields, in the communes of rural Drôme (26) and Ardèche (07).
PAST_SEASON = [
    _project(
        "La Fabrique du Bourg",
        Sector.THIRD_PLACE,
        "26",
        "Bourdeaux",
        Stage.TESTING,
        Heard.PARTNER,
        Status.ACCEPTED,
        (
            "Un tiers-lieu dans l'ancienne école du village : café associatif, atelier partagé et espace de travail.",
            "Depuis la fermeture du dernier café, les habitants n'ont plus de lieu où se croiser.",
            "Une association de douze habitants et deux artisans, avec la commune au conseil d'administration.",
            "Buvette et petite restauration, location de l'atelier et des bureaux, adhésions, aide de la région.",
            "La mairie prête le bâtiment ; l'école et le club des aînés ont déjà des créneaux.",
            "Fixer les prix de location et choisir entre association et SCIC.",
        ),
    ),
    _project(
        "Garage solidaire du Diois",
        Sector.SOLIDARITY_GARAGE,
        "26",
        "Die",
        Stage.RUNNING,
        Heard.PUBLIC_SERVICE,
        Status.ACCEPTED,
        (
            "Un garage où l'on répare sa voiture avec un mécanicien, à prix solidaire, et où l'on trouve des voitures à louer.",
            "Sans voiture, pas d'emploi ni de soins dans la vallée : beaucoup roulent sans contrôle technique.",
            "Deux mécaniciens salariés, une quinzaine de bénévoles, la mission locale et le centre social.",
            "Réparations à deux tarifs selon les revenus, location de véhicules, dons de voitures, aide du département.",
            "Le centre social oriente les personnes ; la casse de Luc-en-Diois fournit les pièces.",
            "Passer de l'association à une coopérative et embaucher un troisième mécanicien.",
        ),
    ),
    _project(
        "Vieillir chez soi en Pays de Dieulefit",
        Sector.AGEING_WELL,
        "26",
        "Dieulefit",
        Stage.STUDY,
        Heard.NETWORK,
        Status.ACCEPTED,
        (
            "Un service de voisinage pour que les personnes âgées restent chez elles : petits travaux, courses, visites.",
            "Un habitant sur trois a plus de 65 ans et les services d'aide à domicile ne couvrent pas les hameaux.",
            "Des retraités, deux aides à domicile et l'épicerie du village montent le projet ensemble.",
            "Adhésions des familles, chèques emploi service, convention avec la caisse de retraite.",
            "Le CCAS et la maison de santé nous signalent les personnes isolées.",
            "Trouver le bon statut pour salarier les intervenantes.",
        ),
    ),
    _project(
        "Terre d'accueil des Boutières",
        Sector.REFUGEES,
        "07",
        "Le Cheylard",
        Stage.TESTING,
        Heard.WORD_OF_MOUTH,
        Status.ACCEPTED,
        (
            "Accueillir des familles réfugiées dans des logements vacants du bourg et les accompagner vers l'emploi local.",
            "Des logements vides, des entreprises qui cherchent du personnel, des familles hébergées loin de tout.",
            "Un collectif d'habitants, deux entreprises de la vallée et l'association de cours de français.",
            "Loyers modérés, mécénat des entreprises, subvention de l'État pour l'accompagnement.",
            "Trois entreprises du Cheylard se sont engagées à proposer des stages.",
            "Structurer le collectif et sécuriser les financements sur trois ans.",
        ),
    ),
    _project(
        "La Cantine des Boutières",
        Sector.FOOD,
        "07",
        "Saint-Agrève",
        Stage.TESTING,
        Heard.SOCIAL_MEDIA,
        Status.ACCEPTED,
        (
            "Une cantine de produits locaux pour les écoles, l'EHPAD et les salariés du plateau.",
            "Les repas viennent de loin alors que les fermes du plateau cherchent des débouchés.",
            "Six fermes, une cuisinière, les parents d'élèves et l'EHPAD.",
            "Vente de repas aux collectivités, traiteur pour les fêtes, parts sociales des fermes.",
            "Les communes du plateau ont voté une convention de deux ans.",
            "Calculer le prix du repas et organiser la logistique l'hiver.",
        ),
    ),
    _project(
        "Roue libre en Val de Drôme",
        Sector.MOBILITY,
        "26",
        "Crest",
        Stage.IDEA,
        Heard.PARTNER,
        Status.ACCEPTED,
        (
            "Des vélos à assistance électrique en location longue durée et un service d'autopartage entre voisins.",
            "Les jeunes et les personnes sans permis restent coincés dans les villages.",
            "Un entrepreneur-salarié de la CAE, un réparateur de vélos et un collectif d'usagers.",
            "Location mensuelle, réparations, contrat avec la communauté de communes.",
            "La gare de Crest accueillerait le point de location.",
            "Tester le service sur six mois et choisir une forme coopérative.",
        ),
    ),
    _project(
        "Le Cinéma du Coiron",
        Sector.CULTURE,
        "07",
        "Villeneuve-de-Berg",
        Stage.IDEA,
        Heard.PRESS,
        Status.REJECTED,
        (
            "Un cinéma itinérant dans les salles des fêtes du plateau du Coiron.",
            "Le premier cinéma est à quarante minutes de route.",
            "Deux passionnés et une association de parents.",
            "Billetterie et aide du réseau des cinémas itinérants.",
            "Trois communes prêtent leur salle.",
            "Savoir par où commencer.",
        ),
        note="Projet encore trop porté par deux personnes ; à représenter quand le collectif sera plus large.",
    ),
    _project(
        "Conserverie des Baronnies",
        Sector.FOOD,
        "26",
        "Buis-les-Baronnies",
        Stage.STUDY,
        Heard.NETWORK,
        Status.REJECTED,
        (
            "Un atelier de transformation partagé pour les producteurs d'abricots et d'olives.",
            "Les fruits abîmés sont jetés faute d'atelier aux normes à proximité.",
            "Huit producteurs réunis en CUMA.",
            "Location de l'atelier à l'heure, vente de conserves en circuit court.",
            "La coopérative oléicole met un local à disposition.",
            "Dimensionner l'atelier.",
        ),
        note="Besoin surtout d'un accompagnement technique, orienté vers la chambre d'agriculture.",
    ),
    _project(
        "L'Atelier partagé de Lamastre",
        Sector.THIRD_PLACE,
        "07",
        "Lamastre",
        Stage.IDEA,
        Heard.WORD_OF_MOUTH,
        Status.REJECTED,
        (
            "Un atelier de bricolage et de réparation ouvert à tous, avec des outils prêtés.",
            "On jette ce qu'on pourrait réparer, faute d'outils et de conseils.",
            "Un collectif de bricoleurs bénévoles.",
            "Adhésions et dons.",
            "Un local est cherché avec la mairie.",
            "Trouver un modèle économique.",
        ),
    ),
    _project(
        "Maison des aidants du Nyonsais",
        Sector.AGEING_WELL,
        "26",
        "Nyons",
        Stage.STUDY,
        Heard.PUBLIC_SERVICE,
        Status.WITHDRAWN,
        (
            "Un lieu de répit et d'écoute pour les proches aidants de personnes âgées.",
            "Les aidants s'épuisent seuls, sans relais près de chez eux.",
            "Une infirmière, une psychologue et l'association des familles.",
            "Séances collectives, conventions avec les caisses de retraite.",
            "L'hôpital local oriente les familles.",
            "Être accompagnées sur le montage financier.",
        ),
        note="Nous avons trouvé un accompagnement plus proche de notre calendrier. Merci !",
    ),
    _project(
        "Ressourcerie des Vans",
        Sector.OTHER,
        "07",
        "Les Vans",
        Stage.IDEA,
        Heard.SOCIAL_MEDIA,
        Status.DRAFT,
        (
            "Collecter, réparer et revendre les objets dont les habitants se séparent.",
            "La déchetterie déborde et rien n'est réemployé.",
            "",
            "",
            "",
            "",
        ),
    ),
    _project(
        "Transport à la demande du Haut-Diois",
        Sector.MOBILITY,
        "26",
        "Châtillon-en-Diois",
        Stage.IDEA,
        Heard.PUBLIC_SERVICE,
        Status.SUBMITTED,
        (
            "Un minibus partagé sur réservation pour rejoindre le marché, la gare et les médecins.",
            "Aucun bus ne dessert les hameaux en dehors des périodes scolaires.",
            "Les communes du Haut-Diois et un collectif de chauffeurs bénévoles.",
            "Participation des usagers, convention avec la communauté de communes.",
            "Les mairies recensent déjà les besoins.",
            "Construire le service avec les usagers.",
        ),
    ),
    _project(
        "Le Fournil collectif de Saillans",
        Sector.FOOD,
        "26",
        "Saillans",
        Stage.TESTING,
        Heard.WORD_OF_MOUTH,
        Status.UNDER_REVIEW,
        (
            "Un fournil en coopérative où des paysans-boulangers font et vendent leur pain.",
            "Le village n'a plus de boulangerie depuis deux ans.",
            "Trois paysans-boulangers et une trentaine de familles associées.",
            "Vente de pain, ateliers de fabrication, parts sociales des habitants.",
            "Le blé vient de la vallée de la Drôme ; la commune loue le four banal.",
            "Choisir la forme coopérative.",
        ),
    ),
    _project(
        "Auto-école solidaire d'Aubenas",
        Sector.MOBILITY,
        "07",
        "Aubenas",
        Stage.STUDY,
        Heard.PARTNER,
        Status.SHORTLISTED,
        (
            "Une auto-école à prix adapté pour les personnes en insertion, avec un accompagnement au code.",
            "Le permis coûte trop cher et bloque l'accès à l'emploi.",
            "Deux moniteurs, la mission locale et une association d'insertion.",
            "Forfaits financés par les prescripteurs, cours à tarif solidaire.",
            "France Travail et la mission locale d'Aubenas orientent les élèves.",
            "Obtenir l'agrément et bâtir le budget.",
        ),
    ),
]

CURRENT_SEASON = [
    _project(
        "Le Tiers-lieu de la Gare",
        Sector.THIRD_PLACE,
        "07",
        "Le Teil",
        Stage.TESTING,
        Heard.PARTNER,
        Status.ACCEPTED,
        (
            "Redonner vie à l'ancienne gare : espace de travail partagé, repair café et salle de concerts.",
            "Le quartier de la gare s'est vidé de ses commerces et de ses lieux de rencontre.",
            "Une association de vingt membres, des artisans et le comité de quartier.",
            "Location des bureaux, bar associatif, événements, appel à dons.",
            "La SNCF et la commune négocient une convention d'occupation.",
            "Construire le plan de financement des travaux.",
        ),
    ),
    _project(
        "Garage solidaire de l'Eyrieux",
        Sector.SOLIDARITY_GARAGE,
        "07",
        "Saint-Sauveur-de-Montagut",
        Stage.STUDY,
        Heard.WORD_OF_MOUTH,
        Status.ACCEPTED,
        (
            "Un garage associatif avec un atelier mobile qui va dans les villages de la vallée.",
            "Le garage le plus proche a fermé ; les habitants font plus de trente kilomètres.",
            "Un mécanicien, une association d'insertion et des habitants bénévoles.",
            "Réparations à prix solidaire, formation de salariés en insertion, aide de la région.",
            "Le camion atelier se posera sur les marchés de la vallée.",
            "Sécuriser le modèle de l'atelier mobile.",
        ),
    ),
    _project(
        "Habitat partagé seniors de Grignan",
        Sector.AGEING_WELL,
        "26",
        "Grignan",
        Stage.STUDY,
        Heard.NETWORK,
        Status.ACCEPTED,
        (
            "Une maison partagée pour huit personnes âgées autonomes, au cœur du village.",
            "Des personnes âgées isolées dans des maisons trop grandes, sans solution entre domicile et EHPAD.",
            "Des futurs habitants, un bailleur social et l'association d'aide à domicile.",
            "Loyers, forfait d'animation, aide à la vie partagée du département.",
            "La commune vend une ancienne maison de maître.",
            "Choisir le montage juridique avec le bailleur.",
        ),
    ),
    _project(
        "Cuisine des deux rives",
        Sector.REFUGEES,
        "26",
        "Montélimar",
        Stage.IDEA,
        Heard.SOCIAL_MEDIA,
        Status.REJECTED,
        (
            "Un traiteur tenu par des personnes réfugiées qui cuisinent les recettes de leur pays.",
            "Des personnes réfugiées qui ont un métier et ne trouvent pas d'emploi.",
            "Quatre cuisinières et une bénévole.",
            "Vente de plats et de buffets.",
            "Un restaurant prête sa cuisine le lundi.",
            "Se former à la gestion.",
        ),
        note="Très beau projet, encore au stade de l'idée : nous proposons un rendez-vous avec la CAE.",
    ),
    _project(
        "Radio des collines",
        Sector.CULTURE,
        "26",
        "Marsanne",
        Stage.RUNNING,
        Heard.PRESS,
        Status.REJECTED,
        (
            "Une radio associative qui donne la parole aux habitants des villages.",
            "Les villages n'ont pas de média local.",
            "Une équipe de bénévoles.",
            "Adhésions, publicité locale, subventions.",
            "Émissions avec les écoles.",
            "Trouver de nouveaux financements.",
        ),
    ),
    _project(
        "Bibliothèque d'objets de Joyeuse",
        Sector.OTHER,
        "07",
        "Joyeuse",
        Stage.IDEA,
        Heard.WORD_OF_MOUTH,
        Status.WITHDRAWN,
        (
            "Prêter des objets dont on se sert rarement : perceuse, appareil à raclette, tente.",
            "Chacun achète des objets qui dorment dans les placards.",
            "Un collectif d'habitants et la médiathèque.",
            "Adhésion annuelle modeste.",
            "La médiathèque accueille le point de prêt.",
            "Lancer le projet.",
        ),
        note="Le projet sera porté par la médiathèque elle-même.",
    ),
    _project(
        "Paysans boulangers du Vercors",
        Sector.FOOD,
        "26",
        "La Chapelle-en-Vercors",
        Stage.TESTING,
        Heard.NETWORK,
        Status.SHORTLISTED,
        (
            "Cultiver des blés anciens sur le plateau et les transformer en pain et en farine.",
            "Les terres à céréales du plateau sont abandonnées et la farine vient de loin.",
            "Deux paysans, un meunier et une association de consommateurs.",
            "Vente de pain et de farine, parts sociales, prêts d'honneur.",
            "Le parc naturel régional soutient la filière.",
            "Construire la coopérative et le plan d'investissement.",
        ),
    ),
    _project(
        "Français langue d'accueil",
        Sector.REFUGEES,
        "07",
        "Privas",
        Stage.TESTING,
        Heard.PUBLIC_SERVICE,
        Status.UNDER_REVIEW,
        (
            "Des cours de français tournés vers le travail, avec des stages chez les artisans du territoire.",
            "Les personnes réfugiées attendent des mois un cours de français près de chez elles.",
            "Deux formatrices, des artisans volontaires et l'association d'accueil.",
            "Conventions avec l'État, contributions des entreprises, dons.",
            "La chambre des métiers relaie le projet auprès des artisans.",
            "Professionnaliser l'association.",
        ),
    ),
    _project(
        "Vélo-école du Tricastin",
        Sector.MOBILITY,
        "26",
        "Pierrelatte",
        Stage.IDEA,
        Heard.SOCIAL_MEDIA,
        Status.SUBMITTED,
        (
            "Apprendre à faire du vélo aux adultes pour aller au travail sans voiture.",
            "Beaucoup d'adultes n'ont jamais appris et dépendent des autres pour se déplacer.",
            "Une éducatrice sportive et un club cycliste.",
            "Séances payées par les employeurs et les collectivités.",
            "La zone d'activités du Tricastin est à six kilomètres du centre.",
            "Trouver des financeurs.",
        ),
    ),
    _project(
        "Café-épicerie de Vallon",
        Sector.THIRD_PLACE,
        "07",
        "Vallon-Pont-d'Arc",
        Stage.IDEA,
        Heard.WORD_OF_MOUTH,
        Status.DRAFT,
        (
            "Un café-épicerie ouvert toute l'année, pas seulement l'été.",
            "",
            "",
            "",
            "",
            "",
        ),
    ),
    # Three more accepted projects (added later): with the three above, the season's six places, three per coach.
    _project(
        "Recyclerie du Val d'Ay",
        Sector.OTHER,
        "07",
        "Satillieu",
        Stage.TESTING,
        Heard.PARTNER,
        Status.ACCEPTED,
        (
            "Collecter, réparer et revendre meubles, vélos et électroménager, avec un atelier ouvert aux habitants.",
            "La déchetterie est à quarante minutes et rien n'y est réemployé.",
            "Une association de quinze bénévoles, deux salariés en insertion et la communauté de communes.",
            "Ventes en boutique, ateliers payants, contrat de collecte avec la communauté de communes.",
            "La communauté de communes prête un ancien hangar agricole.",
            "Chiffrer les emplois en insertion que l'activité peut porter.",
        ),
    ),
    _project(
        "Épicerie solidaire du Royans",
        Sector.FOOD,
        "26",
        "Saint-Jean-en-Royans",
        Stage.STUDY,
        Heard.PUBLIC_SERVICE,
        Status.ACCEPTED,
        (
            "Une épicerie où chacun paie selon ses revenus, approvisionnée par les fermes du Royans.",
            "Les familles modestes font vingt kilomètres pour trouver des prix bas, sans produits frais.",
            "Le centre social, six fermes et un collectif de parents.",
            "Double tarif, adhésions, subvention de la caisse d'allocations familiales.",
            "Le centre social repère les familles ; la mairie loue l'ancienne poste.",
            "Trouver l'équilibre entre les deux tarifs.",
        ),
    ),
    _project(
        "Jardins de l'accueil d'Annonay",
        Sector.REFUGEES,
        "07",
        "Annonay",
        Stage.IDEA,
        Heard.WORD_OF_MOUTH,
        Status.ACCEPTED,
        (
            "Des jardins maraîchers cultivés par des personnes réfugiées avec des maraîchers du bassin, vers l'emploi agricole.",
            "Les maraîchers manquent de bras ; les personnes réfugiées n'ont pas accès aux métiers de la terre.",
            "Deux maraîchers, l'association d'accueil et quatre familles.",
            "Vente de paniers, chantier d'insertion, fondations d'entreprise.",
            "Le lycée agricole prête une parcelle et forme les jardiniers.",
            "Construire le parcours vers l'emploi.",
        ),
    ),
]

ANSWERS = [
    "sector",
    "commune",
    "stage",
    "heard_from",
    "summary",
    "need",
    "collective_dimension",
    "economic_model",
    "anchoring",
    "expectations",
]
TEAM_ROLES = ["Coordination du projet", "Trésorerie", "Animation", "Lien avec les partenaires"]
REVIEW_COMMENTS = {
    Criterion.COLLECTIVE: "Un collectif déjà engagé, à élargir.",
    Criterion.ECONOMIC_MODEL: "Modèle hybride crédible ; les subventions pèsent encore lourd.",
    Criterion.ANCHORING: "Partenaires locaux nombreux et identifiés.",
    Criterion.NEED: "Besoin bien documenté sur le territoire.",
}
# The workflow moves that take a sent candidacy to each status.
PATHS = {
    Status.SUBMITTED: [],
    Status.WITHDRAWN: [Status.WITHDRAWN],
    Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
    Status.SHORTLISTED: [Status.UNDER_REVIEW, Status.SHORTLISTED],
    Status.REJECTED: [Status.UNDER_REVIEW, Status.REJECTED],
    Status.ACCEPTED: [Status.UNDER_REVIEW, Status.SHORTLISTED, Status.ACCEPTED],
}
SCORES = {Status.ACCEPTED: (3, 5), Status.SHORTLISTED: (3, 5), Status.REJECTED: (1, 3), Status.UNDER_REVIEW: (2, 4)}

COACH_EMAILS = ["coach.prisme@demo.incubateur.example", "coach.alterincub@demo.incubateur.example"]
# A coach's meetings with a project, in order, each with its next steps (description, owner).
MEETINGS = [
    {
        "duration_minutes": 120,
        "format": MeetingFormat.ON_SITE,
        "topics": [Topic.ECONOMIC, Topic.GOVERNANCE],
        "notes": "Visite du lieu avec toute l'équipe. Tour des activités envisagées et de qui décide de quoi.",
        "next_steps": [
            ("Lister les recettes et les dépenses de la première année", "L'équipe"),
            ("Envoyer un modèle de budget prévisionnel", "Accompagnement"),
        ],
    },
    {
        "duration_minutes": 90,
        "format": MeetingFormat.VIDEO,
        "topics": [Topic.ECONOMIC, Topic.FUNDING],
        "notes": "Premier prévisionnel relu ensemble : les subventions pèsent encore trop, pistes de ventes à creuser.",
        "next_steps": [("Rencontrer deux financeurs solidaires", "La présidente")],
    },
    {
        "duration_minutes": 60,
        "format": MeetingFormat.PHONE,
        "topics": [Topic.PERSONAL, Topic.HUMAN_RESOURCES],
        "notes": "Fatigue dans l'équipe : on répartit mieux les rôles et on se donne le droit de ralentir.",
        "next_steps": [("Écrire qui fait quoi dans l'équipe", "L'équipe")],
    },
    {
        "duration_minutes": 150,
        "format": MeetingFormat.VENUE,
        "topics": [Topic.LEGAL, Topic.GOVERNANCE, Topic.MARKETING],
        "notes": "Au tiers-lieu partenaire : association ou SCIC ? Comparaison des deux statuts et de leur gouvernance.",
        "next_steps": [
            ("Relire le projet de statuts", "Le trésorier"),
            ("Préparer la présentation aux habitants", "L'équipe"),
        ],
    },
]
ACTORS = [
    ("Communauté de communes", ActorMet.Kind.LOCAL_AUTHORITY, "La chargée d'accompagnement"),
    ("France Active Auvergne-Rhône-Alpes", ActorMet.Kind.FUNDER, "Une journée collective"),
    ("Mission locale", ActorMet.Kind.PUBLIC_SERVICE, ""),
    ("Centre social du bassin de vie", ActorMet.Kind.ASSOCIATION, "Un autre projet de la saison"),
    ("Crédit coopératif", ActorMet.Kind.FUNDER, "La CAE"),
    ("Menuiserie coopérative de la vallée", ActorMet.Kind.COMPANY, "Le maire"),
    ("Département, service de l'insertion", ActorMet.Kind.PUBLIC_SERVICE, "La chargée d'accompagnement"),
]
# Where the past season's projects stood at its end (the article: skills gained even when a project stops).
OUTCOMES = [
    {
        "status": Outcome.Status.LAUNCHED,
        "legal_form": Outcome.LegalForm.SCIC,
        "jobs_fte": "2.5",
        "volunteers": 18,
        "funds_raised": "85000",
        "skills_gained": "Monter un plan de financement, animer un conseil d'administration à plusieurs collèges.",
    },
    {
        "status": Outcome.Status.LAUNCHED,
        "legal_form": Outcome.LegalForm.SCOP,
        "jobs_fte": "3",
        "volunteers": 15,
        "funds_raised": "42000",
        "skills_gained": "Passer d'une association de bénévoles à une coopérative de salariés.",
    },
    {
        "status": Outcome.Status.CONTINUING,
        "legal_form": Outcome.LegalForm.ASSOCIATION,
        "jobs_fte": "0.5",
        "volunteers": 12,
        "funds_raised": "15000",
        "skills_gained": "Mesurer un besoin avec les habitants et le présenter aux élus.",
    },
    {
        "status": Outcome.Status.PAUSED,
        "legal_form": Outcome.LegalForm.NONE,
        "jobs_fte": "0",
        "volunteers": 9,
        "funds_raised": "3000",
        "skills_gained": "Prendre la parole en public, trouver des partenaires parmi les entreprises locales.",
    },
    {
        "status": Outcome.Status.LAUNCHED,
        "legal_form": Outcome.LegalForm.CAE,
        "jobs_fte": "1",
        "volunteers": 6,
        "funds_raised": "20000",
        "skills_gained": "Calculer un prix de revient, négocier une convention avec des collectivités.",
    },
    {
        "status": Outcome.Status.STOPPED,
        "legal_form": Outcome.LegalForm.NONE,
        "jobs_fte": "0",
        "volunteers": 4,
        "funds_raised": "0",
        "skills_gained": "Le porteur a appris à bâtir un budget et a rejoint la CAE comme entrepreneur-salarié.",
    },
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (sans rien dupliquer si on la relance)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Autorise le chargement quand DEBUG est désactivé (les comptes de démo ont un mot de passe connu).",
        )

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG est désactivé : les comptes de démonstration ont un mot de passe public. "
                "Relancez avec --allow-production si c'est bien voulu."
            )
        fake = Faker("fr_FR")
        fake.seed_instance(2020)  # the same fictional people on every machine

        prisme, _ = PartnerStructure.objects.get_or_create(
            name="CAE Prisme",
            defaults={"kind": PartnerStructure.Kind.CAE, "town": "Montélimar"},
        )
        incubator, _ = PartnerStructure.objects.get_or_create(
            name="Alter'Incub Auvergne-Rhône-Alpes",
            defaults={"kind": PartnerStructure.Kind.INCUBATOR, "town": "Lyon"},
        )
        urscop, _ = PartnerStructure.objects.get_or_create(
            name="Union régionale des Scop et Scic Auvergne-Rhône-Alpes",
            defaults={"kind": PartnerStructure.Kind.UNION, "town": "Lyon"},
        )
        drome, _ = Territory.objects.get_or_create(name="Drôme", defaults={"department_code": "26"})
        ardeche, _ = Territory.objects.get_or_create(name="Ardèche", defaults={"department_code": "07"})

        programme, created = Programme.objects.get_or_create(
            name="Accompagnement partagé Drôme-Ardèche",
            defaults={
                "description": (
                    "Un programme d'accompagnement de projets collectifs de l'économie sociale et solidaire "
                    "en Drôme et en Ardèche rurales, porté ensemble par la CAE Prisme et l'incubateur "
                    "Alter'Incub, né de l'appel à manifestation d'intérêt « Fabriques de Territoires ». "
                    "Journées collectives chaque mois près de chez vous et accompagnement individuel "
                    "pendant 15 mois."
                )
            },
        )
        if created:
            programme.partners.set([prisme, incubator, urscop])

        seasons = self._seasons(programme, [drome, ardeche])

        people = [
            ("equipe@demo.incubateur.example", User.Role.STAFF, prisme, False),
            ("coordination@demo.incubateur.example", User.Role.STAFF, incubator, False),
            ("coach.prisme@demo.incubateur.example", User.Role.COACH, prisme, False),
            ("coach.alterincub@demo.incubateur.example", User.Role.COACH, incubator, False),
            ("admin@demo.incubateur.example", "", None, True),
        ]
        for email, role, structure, superuser in people:
            first_name, last_name = fake.first_name(), fake.last_name()
            if User.objects.filter(email=email).exists():
                continue
            User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
                role=role,
                partner_structure=structure,
                is_staff=superuser,
                is_superuser=superuser,
            )

        reviewers = list(
            User.objects.filter(
                email__in=["equipe@demo.incubateur.example", "coordination@demo.incubateur.example"]
            ).order_by("email")
        )
        territories = {"26": drome, "07": ardeche}
        created_count = 0
        for cohort, projects in zip(seasons[:2], [PAST_SEASON, CURRENT_SEASON], strict=False):
            for index, project in enumerate(projects):
                created_count += self._candidacy(cohort, index, project, territories, reviewers, fake)

        meetings_count = self._coaching(seasons[:2], reviewers[0] if reviewers else None)
        seed_trainings(stdout=self.stdout, trainer_login=TRAINER_LOGIN, password=DEMO_PASSWORD)

        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        if created_count:
            self.stdout.write(f"{created_count} candidatures de démonstration ajoutées.")
        if meetings_count:
            self.stdout.write(f"{meetings_count} rendez-vous d'accompagnement de démonstration ajoutés.")
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        self.stdout.write("  équipe du programme       equipe@demo.incubateur.example")
        self.stdout.write("  chargé·e d'accompagnement coach.prisme@demo.incubateur.example")
        self.stdout.write(f"  formatrice                {TRAINER_LOGIN}")
        self.stdout.write("  super-administrateur      admin@demo.incubateur.example")

    def _coaching(self, seasons, staff) -> int:
        """Each demo coach follows three projects of the current season, which have meetings, next steps,
        milestones and actors met; the past season's projects were coached too and have their outcome.

        Only what is missing is added: a project that already has meetings, actors or an outcome keeps them.
        """
        coaches = list(User.objects.filter(email__in=COACH_EMAILS, role=User.Role.COACH).order_by("-email"))
        if len(seasons) < 2 or not coaches:
            return 0
        past, current = seasons
        today = timezone.localdate()
        meetings = 0
        for cohort, per_project in ((past, 2), (current, len(MEETINGS))):
            self._assign(cohort, coaches, staff, today)
            coached = (
                Project.objects.filter(cohort=cohort, assignments__coach__in=coaches)
                .distinct()
                .order_by("pk")
                .prefetch_related("assignments")
            )
            for index, project in enumerate(coached):
                assignment = min(
                    (a for a in project.assignments.all() if a.coach_id in {c.pk for c in coaches}),
                    key=lambda a: a.started_on,
                )
                end = min(today, cohort.end_date)
                if not project.meetings.exists():
                    meetings += self._meetings(
                        project, assignment, index, per_project, end, season_over=cohort.end_date < today
                    )
                self._milestones(project, index, end)
                if not project.actors_met.exists():
                    for n in range(2 + index % 2):
                        organisation, kind, introduced_by = ACTORS[(index * 2 + n) % len(ACTORS)]
                        met_on = min(end, assignment.started_on + datetime.timedelta(days=20 + 25 * n))
                        ActorMet.objects.create(
                            project=project,
                            organisation=organisation,
                            kind=kind,
                            met_on=met_on,
                            introduced_by=introduced_by,
                        )
                if cohort == past and cohort.end_date < today and not Outcome.objects.filter(project=project).exists():
                    Outcome.objects.create(project=project, **OUTCOMES[index % len(OUTCOMES)])
        return meetings

    @staticmethod
    def _assign(cohort, coaches, staff, today):
        """Give each coach the season's projects nobody coaches, up to their cap; end them once the season is over."""
        on = min(today, cohort.start_date + datetime.timedelta(days=14))
        for coach in coaches:
            free = Project.objects.filter(cohort=cohort, assignments__isnull=True).order_by("pk")
            load = coach.assignments.active().filter(cohort=cohort).count()
            for project in free[: max(cohort.max_projects_per_coach - load, 0)]:
                assignment = services.assign_coach(project=project, coach=coach, by=staff, on=on)
                if cohort.end_date < today:
                    services.end_assignment(assignment=assignment, on=cohort.end_date)

    @staticmethod
    def _meetings(project, assignment, index, count, end, season_over) -> int:
        """`count` meetings from the assignment's start; the first project's last one is over a month old (an
        alert on the coach's page). Older meetings' next steps are done, save one left late on some projects;
        once the season is over, all are."""
        start = assignment.started_on + datetime.timedelta(days=7)
        last = max(start, end - datetime.timedelta(days=40 if index == 0 else 5 + 3 * index))
        spacing = (last - start) / max(count - 1, 1)
        for n in range(count):
            plan = MEETINGS[(n + index) % len(MEETINGS)] if count < len(MEETINGS) else MEETINGS[n]
            day = min(start + spacing * n, end)
            meeting = services.log_meeting(
                project=project,
                coach=assignment.coach,
                date=day,
                duration_minutes=plan["duration_minutes"],
                format=plan["format"],
                topics=[str(topic) for topic in plan["topics"]],
                notes=plan["notes"],
                next_steps=[
                    {"description": description, "owner": owner, "due_on": day + datetime.timedelta(days=21)}
                    for description, owner in plan["next_steps"]
                ],
            )
            left_late = index % 3 == 1 and n == count - 2
            if season_over or (n < count - 1 and not left_late):
                done_at = timezone.make_aware(
                    datetime.datetime.combine(day + datetime.timedelta(days=10), datetime.time(17))
                )
                NextStep.objects.filter(meeting=meeting).update(done_at=min(done_at, timezone.now()))
        return count

    @staticmethod
    def _milestones(project, index, end):
        """Milestones whose target has passed are reached; every third project is late on its latest one."""
        if not project.milestones.exists():
            services.create_default_milestones(project=project)
        if project.milestones.filter(done_on__isnull=False).exists():
            return
        passed = project.milestones.filter(target_on__lt=end).order_by("order")
        for position, milestone in enumerate(passed):
            if index % 3 == 2 and position == len(passed) - 1 and position > 0:
                continue
            done_on = min(end, milestone.target_on - datetime.timedelta(days=10 - index))
            Milestone.objects.filter(pk=milestone.pk).update(done_on=done_on)

    def _seasons(self, programme, territories) -> list[Cohort]:
        """The programme's seasons in start order; the three demo ones only for a programme without any.

        Names and dates come from today's date, so looking seasons up by name would add overlapping
        ones every time the demo is loaded again a few months later.
        """
        existing = list(programme.cohorts.order_by("start_date", "pk"))
        if existing:
            return existing[:3]
        # Seasons follow one another: the current one began five months ago.
        today = timezone.localdate()
        current_start = _months_before(today, 5)
        past_start = _months_before(current_start, 15)
        next_start = season_end_date(current_start, 15) + datetime.timedelta(days=1)
        dates = [
            (past_start, past_start - datetime.timedelta(days=90), past_start - datetime.timedelta(days=30)),
            (current_start, current_start - datetime.timedelta(days=90), current_start - datetime.timedelta(days=30)),
            (next_start, today - datetime.timedelta(days=14), today + datetime.timedelta(days=45)),
        ]
        seasons = []
        for start, opens, closes in dates:
            cohort = Cohort.objects.create(
                programme=programme,
                name=f"Saison {start.year}-{season_end_date(start, 15).year}",
                start_date=start,
                call_opens_on=opens,
                call_closes_on=closes,
            )
            cohort.territories.set(territories)
            seasons.append(cohort)
        return seasons

    def _candidacy(self, cohort, index, project, territories, reviewers, fake) -> int:
        """One candidacy, taken from its first draft to its status by the application's services."""
        if Candidacy.objects.filter(cohort=cohort, project_name=project["name"]).exists():
            return 0
        team = [self._person(fake, role) for role in TEAM_ROLES[: 2 + index % 3]]
        contact = team[0]
        fields = {
            "project_name": project["name"],
            "territory": territories[project["department"]],
            **{key: project[key] for key in ANSWERS},
            "contact_name": contact["name"],
            "contact_email": contact["email"],
            "contact_phone": contact["phone"],
        }
        status = project["status"]
        if status != Status.DRAFT:
            fields["consent_at"] = timezone.now()
        candidacy = services.save_draft(candidacy=None, cohort=cohort, fields=fields, members=team)
        if status == Status.DRAFT:
            # Left with today's date: an older one would be deleted by the next nightly retention sweep.
            return 1

        moments = self._timeline(cohort, index, status)
        self._send(candidacy, moments[0])
        rng = random.Random(f"{cohort.pk}-{project['name']}")
        staff = reviewers[index % len(reviewers)]
        for step in PATHS[status]:
            if step == Status.WITHDRAWN:
                services.withdraw_candidacy(candidacy=candidacy, note=project["note"])
                continue
            try:
                services.change_status(
                    candidacy=candidacy,
                    to_status=step,
                    by=staff,
                    note=project["note"] if step == Status.REJECTED else "",
                )
            except services.PlacesFull:
                # Seasons reused from real data may have their places taken already.
                self.stdout.write(f"Saison {cohort.name} complète : « {project['name']} » reste présélectionnée.")
                break
            if step == Status.UNDER_REVIEW:
                self._reviews(candidacy, status, reviewers, rng)
        self._backdate(candidacy, moments)
        return 1

    @staticmethod
    def _person(fake, role) -> dict:
        first_name, last_name = fake.first_name(), fake.last_name()
        return {
            "name": f"{first_name} {last_name}",
            "email": f"{slugify(first_name)}.{slugify(last_name)}@{APPLICANTS_DOMAIN}",
            "phone": fake.numerify("06 ## ## ## ##"),
            "role": role,
        }

    @staticmethod
    def _timeline(cohort, index, status) -> list[datetime.datetime]:
        """When it was sent (during the call) and when each later move happened (after the call closed)."""
        window = max((cohort.call_closes_on - cohort.call_opens_on).days, 1)
        sent = cohort.call_opens_on + datetime.timedelta(days=(index * 7) % window)
        if status == Status.WITHDRAWN:
            later = [sent + datetime.timedelta(days=12)]
        else:
            later = [cohort.call_closes_on + datetime.timedelta(days=days) for days in (3, 14, 24)]
        return [
            timezone.make_aware(datetime.datetime.combine(day, datetime.time(10 + n, 0)))
            for n, day in enumerate([sent, *later])
        ]

    @staticmethod
    def _send(candidacy, at):
        # What `submit_candidacy` does, which refuses (rightly) a call that has closed since.
        candidacy.reference = _new_reference(candidacy.cohort)
        candidacy.status = Status.SUBMITTED
        candidacy.submitted_at = at
        candidacy.save(update_fields=["reference", "status", "submitted_at", "updated_at"])
        StatusChange.objects.create(candidacy=candidacy, from_status=Status.DRAFT, to_status=Status.SUBMITTED)

    @staticmethod
    def _reviews(candidacy, status, reviewers, rng):
        # Both staff score decided candidacies; one of them has started on the one still under review.
        low, high = SCORES[status]
        for reviewer in reviewers if status != Status.UNDER_REVIEW else reviewers[:1]:
            services.save_review(
                candidacy=candidacy,
                reviewer=reviewer,
                scores={criterion: rng.randint(low, high) for criterion in Criterion.values},
                comments=REVIEW_COMMENTS if reviewer == reviewers[0] else {},
            )

    @staticmethod
    def _backdate(candidacy, moments):
        """Give the history the dates of a real season (the services stamp everything with today's)."""
        changes = list(StatusChange.objects.filter(candidacy=candidacy).order_by("pk"))
        for change, moment in zip(changes, moments, strict=False):
            StatusChange.objects.filter(pk=change.pk).update(at=moment)
        reviewed = moments[1] + datetime.timedelta(days=2) if len(moments) > 1 else moments[0]
        Review.objects.filter(candidacy=candidacy).update(created_at=reviewed, updated_at=reviewed)
        Candidacy.objects.filter(pk=candidacy.pk).update(
            created_at=moments[0] - datetime.timedelta(days=3),
            consent_at=moments[0],
            submitted_at=moments[0],
            updated_at=moments[len(changes) - 1],
        )
