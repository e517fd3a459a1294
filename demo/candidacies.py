"""The demo's fictional candidacies, coaching and outcomes: French content drawn from the article's sectors,
in Drôme and Ardèche communes. Loaded by `python manage.py seed_demo`."""

from projects.models import Actor, Candidacy, Criterion, MeetingFormat, Outcome, Sector, Topic

Status = Candidacy.Status
Stage = Candidacy.Stage
Heard = Candidacy.HeardFrom


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
# The programme's directory: (organisation, kind, commune, contact, note of the meeting). Projects meet them in
# turn, so that several projects share an actor, and one introduces a project to the next.
ACTORS = [
    ("Communauté de communes", Actor.Kind.LOCAL_AUTHORITY, "Crest", "Service développement économique", ""),
    ("France Active Auvergne-Rhône-Alpes", Actor.Kind.FUNDER, "Valence", "", "Rencontrée à une journée collective."),
    ("Mission locale", Actor.Kind.PUBLIC_SERVICE, "Montélimar", "accueil@mission-locale.example", ""),
    ("Centre social du bassin de vie", Actor.Kind.ASSOCIATION, "Die", "", "Prêt d'une salle pour les ateliers."),
    ("Crédit coopératif", Actor.Kind.FUNDER, "Valence", "", "La CAE a fait le lien."),
    ("Menuiserie coopérative de la vallée", Actor.Kind.COMPANY, "Privas", "", "Présentée par le maire."),
    ("Département, service de l'insertion", Actor.Kind.PUBLIC_SERVICE, "Valence", "", ""),
]
# The same actor noted a second time under a longer name: the directory offers to reunite the two cards.
DUPLICATE_ACTOR = (
    "Centre social du bassin de vie (Die)",
    Actor.Kind.ASSOCIATION,
    "Die",
    "",
    "Une salle pour les ateliers.",
)
# The projects of the two seasons held before the site, brought in from a spreadsheet, oldest season first:
# (name, territory, sector, commune, outcome, legal form, jobs in FTE, funds raised in euros).
IMPORTED_PROJECTS = [
    [("Le Café de la Place", "26", "Tiers-lieu", "Saillans", "Lancé", "Association", "1", "15000")],
    [
        ("Roue Libre en Ardèche", "07", "Mobilité", "Privas", "Lancé", "SCIC", "1,5", "32000"),
        ("L'Épicerie du Plateau", "07", "Alimentation", "Lamastre", "Arrêté", "", "0", "0"),
    ],
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


def reapplications(past_season: list[dict]) -> list[dict]:
    """The past season's turned-down and withdrawn projects, applying again the next season (sent, being read)."""
    again = [
        project
        for project in past_season
        if project["status"] in {Candidacy.Status.REJECTED, Candidacy.Status.WITHDRAWN}
    ]
    statuses = [Candidacy.Status.SUBMITTED, Candidacy.Status.UNDER_REVIEW]
    return [
        {**project, "status": statuses[n % 2], "note": "", "stage": Candidacy.Stage.TESTING}
        for n, project in enumerate(again)
    ]
