"""The starting reference data of the growth area (also written by migration 0002): two pipelines — the
hunters' new business and the farmers' account growth — with their stages, and the common reasons for losing.
The stages, their probabilities and which of them cannot be skipped are Orbit's defaults (the seeds name no
stages or figures); the admin changes them. `ensure_defaults()` puts back what a flushed database lost."""

# (code, name_ru, name_en, probability %, required, outcome)
NEW_BUSINESS_STAGES = [
    ("qualification", "Квалификация", "Qualification", 10, True, "open"),
    ("needs", "Выявление потребностей", "Needs analysis", 25, False, "open"),
    ("proposal", "Коммерческое предложение", "Proposal", 50, True, "open"),
    ("negotiation", "Переговоры", "Negotiation", 75, False, "open"),
    ("won", "Выиграна", "Won", 100, False, "won"),
    ("lost", "Проиграна", "Lost", 0, False, "lost"),
]
GROWTH_STAGES = [
    ("identified", "Возможность выявлена", "Identified", 10, False, "open"),
    ("qualified", "Подтверждена клиентом", "Confirmed by the client", 30, True, "open"),
    ("proposal", "Коммерческое предложение", "Proposal", 60, True, "open"),
    ("commitment", "Согласование", "Commitment", 80, False, "open"),
    ("won", "Выиграна", "Won", 100, False, "won"),
    ("lost", "Проиграна", "Lost", 0, False, "lost"),
]
PIPELINES = [
    ("new_business", "Новые клиенты", "New business", NEW_BUSINESS_STAGES),
    ("account_growth", "Развитие клиентов", "Account growth", GROWTH_STAGES),
]
LOST_REASONS = [
    ("price", "Цена", "Price"),
    ("competitor", "Выбрал конкурента", "Chose a competitor"),
    ("no_budget", "Нет бюджета", "No budget"),
    ("timing", "Не время", "Bad timing"),
    ("no_decision", "Решение не принято", "No decision"),
    ("product_fit", "Продукт не подошёл", "Product did not fit"),
    ("other", "Другое", "Other"),
]


def install(Pipeline, Stage, LostReason) -> None:
    """Idempotent; takes the model classes so the data migration can pass its historical ones."""
    for position, (code, name_ru, name_en, stages) in enumerate(PIPELINES):
        pipeline, created = Pipeline.objects.get_or_create(
            code=code, defaults={"name_ru": name_ru, "name_en": name_en, "position": position}
        )
        if created:
            Stage.objects.bulk_create(
                Stage(
                    pipeline=pipeline,
                    code=s_code,
                    name_ru=s_ru,
                    name_en=s_en,
                    position=index,
                    probability=probability,
                    required=required,
                    outcome=outcome,
                )
                for index, (s_code, s_ru, s_en, probability, required, outcome) in enumerate(stages)
            )
    for code, name_ru, name_en in LOST_REASONS:
        LostReason.objects.get_or_create(code=code, defaults={"name_ru": name_ru, "name_en": name_en})


def ensure_defaults() -> None:
    from orbit.growth.models import LostReason, Pipeline, Stage

    install(Pipeline, Stage, LostReason)
