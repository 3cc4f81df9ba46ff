"""Demo victim-protection records and a permit flag for the demo world, owned by the IND and made by the demo IND
officer through the service (so history and audit are as in real use). Dates are relative to today, so the
dashboard always has a reflection period ending soon, a permit about to expire and a decision pending too long.
Idempotent: a possible victim or organisation that already has its record or flag is skipped.

The possible victims are those of the IND's own signals in the hidden networks (the IND reads its own signals):
Larissa Souza Martins and Daniela Ramírez Contreras (flat-manager), Valentina Restrepo Gómez (flat-manager),
Le Van Tuan (criminal-cannabis, a minor); the flag concerns Flexwerk Oost B.V. (labour-agency) as a recognised
sponsor of labour migrants.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from vigil.linking.queries import entity_of_person
from vigil.organisations.models import User
from vigil.protection import service
from vigil.protection.models import (
    Authority,
    Cooperation,
    Decision,
    ExemptionGround,
    FlagAction,
    FlagStatus,
    PermitFlag,
    PermitKind,
    ProtectionRecord,
    reflection_limit,
)
from vigil.register.models import Company, Person, Signal


def _victim(refs: list[str], name_part: str) -> Person | None:
    return (Person.objects.filter(signal__ref__in=refs, signal__owner__slug="ind", role=Person.PersonRole.VICTIM,
                                  name_key__contains=name_part).order_by("signal__received_at").first())


def _record(officer, person, name: str, **fields) -> ProtectionRecord | None:
    if person is None or ProtectionRecord.objects.filter(person=person).exists():
        return None
    return service.open_record(officer, person=person, entity=entity_of_person(person.pk), display_name=name,
                               **fields)


@transaction.atomic
def load(world, today: dt.date | None = None) -> dict:
    """Create the demo records and flag (after the demo signals are loaded; best after linking, so the records
    link to the persons of the graph too). Returns the references made."""
    today = today or timezone.localdate()
    officer = User.objects.filter(username="ind").first()
    if officer is None:
        return {"records": [], "flags": []}
    flat, labour, cannabis = (world.networks.get(n, []) for n in ("flat-manager", "labour-agency",
                                                                  "criminal-cannabis"))
    made = []

    def days(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    # 1. In the reflection period, which ends in about ten days: no decision to report yet.
    start = days(10) - relativedelta(months=3)
    rec = _record(officer, _victim(flat, "souza martins"), "Larissa Souza Martins", birth_date=dt.date(2000, 4, 11),
                  reflection_offered=True, reflection_offered_on=start, reflection_offered_by=Authority.POLICE,
                  reflection_start=start, reflection_end=reflection_limit(start))
    made.append(rec)

    # 2. Reported after her reflection period; the B8/3 permit expires in two weeks and no renewal was applied for.
    start = days(-365 - 60)
    rec = _record(officer, _victim(flat, "restrepo gomez"), "Valentina Restrepo Gómez",
                  birth_date=dt.date(1998, 11, 2), v_number="3104 887 215", reflection_offered=True,
                  reflection_offered_on=start, reflection_offered_by=Authority.KMAR, reflection_start=start,
                  reflection_end=start + relativedelta(months=3), reflection_ended_on=start + dt.timedelta(days=45),
                  reflection_end_reason="Aangifte gedaan", cooperation=Cooperation.REPORT,
                  cooperation_on=start + dt.timedelta(days=45))
    if rec is not None:
        applied = start + dt.timedelta(days=45)
        valid_from = days(14) - relativedelta(years=1)
        service.apply_permit(officer, rec, kind=PermitKind.B83, applied_on=applied, decision=Decision.GRANTED,
                             decided_on=valid_from, valid_from=valid_from, valid_until=days(14),
                             note="Aangifte mensenhandel (art. 273f Sr) bij de KMar; opsporingsonderzoek loopt.")
    made.append(rec)

    # 3. A minor who cannot be asked to cooperate: exemption granted, B8/3 permit granted on that ground.
    rec = _record(officer, _victim(cannabis, "le van tuan"), "Le Van Tuan", birth_date=dt.date(2008, 12, 1),
                  reflection_offered=False)
    if rec is not None:
        ex = service.request_exemption(officer, rec, ground=ExemptionGround.MINOR, applied_on=days(-60),
                                       note="Minderjarig; aangetroffen in een hennepkwekerij. Voogdij: Nidos.")
        service.decide_exemption(officer, ex, decision=Decision.GRANTED, decided_on=days(-55))
        service.apply_permit(officer, rec, kind=PermitKind.B83, applied_on=days(-55), decision=Decision.GRANTED,
                             decided_on=days(-50), valid_from=days(-50), valid_until=days(-50) + relativedelta(years=1))
    made.append(rec)

    # 4. Reported; the application for the B8/3 permit waits for a decision longer than the term.
    start = days(-40)
    rec = _record(officer, _victim(flat, "ramirez contreras"), "Daniela Ramírez Contreras",
                  birth_date=dt.date(2003, 1, 19), reflection_offered=True, reflection_offered_on=start,
                  reflection_offered_by=Authority.POLICE, reflection_start=start,
                  reflection_end=start + relativedelta(months=3), reflection_ended_on=days(-12),
                  reflection_end_reason="Aangifte gedaan", cooperation=Cooperation.REPORT, cooperation_on=days(-12))
    if rec is not None:
        service.apply_permit(officer, rec, kind=PermitKind.B83, applied_on=days(-12))
    made.append(rec)

    flags = []
    company = (Company.objects.filter(signal__ref__in=labour, signal__owner__slug="ind", name_key__contains="flexwerk")
               .first())
    if company is not None and not PermitFlag.objects.filter(company__name_key=company.name_key).exists():
        evidence = Signal.objects.filter(ref__in=labour, owner__slug="ind")
        f = service.flag(
            officer, action=FlagAction.REVOCATION, company=company, subject_name="Flexwerk Oost B.V.",
            permit="Erkenning als referent (arbeidsmigratie)", signals=evidence,
            summary="Uitzendbureau Flexwerk Oost B.V. (KvK 80417265) is referent voor arbeidsmigranten. IND-signalen "
                    "van twee door het bureau geplaatste werknemers beschrijven ingehouden paspoorten, 'schulden' "
                    "die op het loon worden ingehouden en overbewoning in door het bureau geregelde huisvesting: "
                    "indicatoren van arbeidsuitbuiting.",
            reason="Voorstel: erkenning als referent intrekken wegens aanwijzingen van arbeidsuitbuiting.")
        service.move_flag(officer, f, FlagStatus.REVIEW, "Ter beoordeling voorgelegd aan de juridisch medewerker.")
        flags.append(f.reference)
    return {"records": [r.reference for r in made if r is not None], "flags": flags}
