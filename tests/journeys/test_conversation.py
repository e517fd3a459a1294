"""Staff write to an applicant from the candidacy page; the applicant reads and answers on a phone, from the link
in the mail; staff are told, and read the answer."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from projects import services
from projects.models import Message
from tests.browser import log_in
from tests.factories import CandidacyFactory, CohortFactory

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_write_the_applicant_answers_on_a_phone_and_staff_read_the_answer(people, live_server, programme, staff):
    cohort = CohortFactory(programme=programme, name="Saison 2026-2027")
    candidacy = CandidacyFactory(
        cohort=cohort,
        project_name="Le garage des Collines",
        contact_name="Camille Martin",
        contact_email="camille@exemple.fr",
    )

    team = people()
    log_in(team, live_server, staff)
    team.goto(f"{live_server.url}/projets/candidatures/{candidacy.pk}/")
    team.get_by_label("Écrire à Camille Martin").fill("Bonjour Camille, le local de l'ancienne poste est-il trouvé ?")
    team.get_by_role("button", name="Envoyer le message").click()
    expect(team.get_by_text("Votre message est envoyé : un e-mail prévient camille@exemple.fr.")).to_be_visible()

    (sent,) = mail.outbox
    assert sent.to == ["camille@exemple.fr"]
    assert "ancienne poste" not in sent.body  # the words stay on the site
    link = next(line for line in sent.body.splitlines() if "/projets/candidature/" in line)
    address = urlsplit(link.strip())

    applicant = people()
    applicant.goto(f"{live_server.url}{address.path}#{address.fragment}")
    conversation = applicant.locator("#conversation")
    expect(conversation.get_by_text("le local de l'ancienne poste est-il trouvé ?")).to_be_visible()
    assert applicant.evaluate(NO_SIDEWAYS_SCROLL)
    applicant.get_by_label("Écrire à l'équipe").fill("Bonjour, oui : nous le visitons mardi.")
    applicant.get_by_role("button", name="Envoyer le message").click()
    expect(applicant.get_by_text("Votre message est envoyé à l'équipe du programme. Merci !")).to_be_visible()
    expect(conversation.get_by_text("Bonjour, oui : nous le visitons mardi.")).to_be_visible()
    assert applicant.evaluate(NO_SIDEWAYS_SCROLL)
    assert Message.objects.filter(author_kind=Message.Author.APPLICANT).count() == 1

    # The next notification run tells the staff member who wrote.
    assert services.notify_answers() == 1
    assert mail.outbox[-1].to == [staff.email]
    team.reload()
    answer = team.locator("#conversation li").last
    expect(answer).to_contain_text("Camille Martin (qui candidate)")
    expect(answer).to_contain_text("Bonjour, oui : nous le visitons mardi.")
    assert team.evaluate(NO_SIDEWAYS_SCROLL)
