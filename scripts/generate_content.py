"""Fill the configured database with generated content of a realistic size, for benchmarks.

    python scripts/generate_content.py --size S|M|L [--replace]

Sizes (pages, projects, events, feedback answers):
    S: 100 pages, 10 projects, 100 events, 10,000 answers
    M: 1,000 pages, 100 projects, 1,000 events, 100,000 answers
    L: 10,000 pages, 1,000 projects, 10,000 events, 1,000,000 answers

Everything goes below the home page (made if missing) in sections whose address segments
start with "gen-", so that it never mixes with real content: `--replace` first deletes what
an earlier run generated. Rows are written with bulk inserts, level by level of the tree,
with the stored paths computed here; no signals run, so the page cache and any search index
must be rebuilt afterwards (the script empties the cache and calls `rebuild_search_index`
when that command exists). The first section ("gen-stor-sektion") has a tenth of the pages
below it, for the rename benchmark. The same size gives the same content every time.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raise_site.settings")
os.environ.setdefault("SECRET_KEY", "generate-content-only")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from contacts.models import Organisation  # noqa: E402
from pages.models import (  # noqa: E402
    Event,
    Feedback,
    Page,
    Project,
    ProjectPartner,
)

SIZES = {
    "S": {"pages": 100, "projects": 10, "events": 100, "feedback": 10_000},
    "M": {"pages": 1_000, "projects": 100, "events": 1_000, "feedback": 100_000},
    "L": {"pages": 10_000, "projects": 1_000, "events": 10_000, "feedback": 1_000_000},
}
PREFIX = "gen-"
SECTIONS = 8  # top-level sections, as a region's site has
PER_SUBSECTION = 50
BATCH = 5_000

WORDS_SV = (
    "region län utveckling samverkan företag sociala kommuner näringsliv arbetsplats "
    "arbetsplatsen kompetens framtid hållbar tillväxt projekt insatser civilsamhälle kultur "
    "föreningar landsbygd innovation forskning utbildning integration ekonomi stöd finansiering "
    "partnerskap europeiska erfarenheter verksamhet organisationer Örebro invånare strategi "
    "digitalisering miljö klimat omställning besöksnäring kollektivtrafik bostäder hälsa "
    "ungdomar arbetsmarknad företagens möjligheter utmaningar kunskap nätverk mötesplats"
).split()
WORDS_EN = (
    "region county development cooperation enterprises social municipalities business workplace "
    "skills future sustainable growth project initiatives civil society culture associations "
    "rural innovation research education integration economy support funding partnership "
    "european experience organisations Örebro residents strategy digitalisation environment "
    "climate transition tourism transport housing health young people labour market"
).split()


def sentence(rng, words, n):
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def body(rng, words):
    return "".join(
        f"<p>{' '.join(sentence(rng, words, rng.randint(8, 16)) for _ in range(4))}</p>"
        for _ in range(rng.randint(2, 5))
    )


class Generator:
    def __init__(self, size, rng):
        self.size = SIZES[size]
        self.rng = rng
        self.today = timezone.localdate()
        self.home = Page.objects.filter(depth=0).first() or self.make_home()

    def make_home(self):
        return Page.objects.create(
            kind=Page.Kind.HOME, title_sv="Startsida", title_en="Home", status="published"
        )

    def page(self, parent, position, title_sv, title_en, slug_sv, slug_en, **fields):
        rng = self.rng
        return Page(
            parent=parent,
            position=position,
            kind=fields.pop("kind", Page.Kind.STANDARD),
            title_sv=title_sv,
            title_en=title_en,
            slug_sv=slug_sv,
            slug_en=slug_en,
            lead_sv=sentence(rng, WORDS_SV, 20),
            lead_en=sentence(rng, WORDS_EN, 20),
            body_sv=body(rng, WORDS_SV),
            body_en=body(rng, WORDS_EN),
            path_sv=f"{parent.path_sv}{slug_sv}/",
            path_en=f"{parent.path_en}{slug_en}/",
            depth=parent.depth + 1,
            status=Page.Status.PUBLISHED,
            last_updated=self.today - datetime.timedelta(days=rng.randint(0, 900)),
            **fields,
        )

    def sections(self):
        sections = [
            self.page(
                self.home,
                200 + i,
                f"Sektion {i + 1}" if i else "Stor sektion",
                f"Section {i + 1}" if i else "Large section",
                f"{PREFIX}sektion-{i + 1}" if i else f"{PREFIX}stor-sektion",
                f"{PREFIX}section-{i + 1}" if i else f"{PREFIX}large-section",
                show_in_menu=False,
            )
            for i in range(SECTIONS)
        ]
        return Page.objects.bulk_create(sections)

    def tree(self, sections, total):
        """`total` pages below the sections: subsections of PER_SUBSECTION pages each."""
        big = total // 10
        shares = [big] + [(total - big) // (SECTIONS - 1)] * (SECTIONS - 1)
        subsections, leaves = [], []
        for section, share in zip(sections, shares, strict=True):
            count = max(1, share // (PER_SUBSECTION + 1))
            for i in range(count):
                subsections.append(
                    self.page(
                        section,
                        i,
                        f"Område {section.pk}.{i}",
                        f"Area {section.pk}.{i}",
                        f"omrade-{i}",
                        f"area-{i}",
                    )
                )
        subsections = Page.objects.bulk_create(subsections, batch_size=BATCH)
        made = len(sections) + len(subsections)
        for n in range(total - made):
            parent = subsections[n % len(subsections)]
            words = " ".join(self.rng.sample(WORDS_SV, 3))
            leaves.append(
                self.page(
                    parent,
                    n,
                    f"{words.capitalize()} {n}",
                    f"{' '.join(self.rng.sample(WORDS_EN, 3)).capitalize()} {n}",
                    f"sida-{n}",
                    f"page-{n}",
                )
            )
        return subsections + Page.objects.bulk_create(leaves, batch_size=BATCH)

    def projects(self):
        count = self.size["projects"]
        listing = Page.objects.bulk_create(
            [
                self.page(
                    self.home,
                    300,
                    "Genererade projekt",
                    "Generated projects",
                    f"{PREFIX}projekt",
                    f"{PREFIX}projects",
                    kind=Page.Kind.PROJECT_LIST,
                    show_in_menu=False,
                )
            ]
        )[0]
        pages = Page.objects.bulk_create(
            [
                self.page(
                    listing,
                    i,
                    f"Projekt {i}",
                    f"Project {i}",
                    f"projekt-{i}",
                    f"project-{i}",
                    kind=Page.Kind.PROJECT,
                )
                for i in range(count)
            ],
            batch_size=BATCH,
        )
        organisations = Organisation.objects.bulk_create(
            [Organisation(name_sv=f"{PREFIX}Organisation {i}", country="SE") for i in range(50)]
        )
        projects = Project.objects.bulk_create(
            [
                Project(
                    page=page,
                    acronym=f"GEN{i}",
                    programme=self.rng.choice(["Interreg Europe", "ESF+", "Tillväxtverket"]),
                    start_date=self.today - datetime.timedelta(days=self.rng.randint(100, 1500)),
                    end_date=self.today + datetime.timedelta(days=self.rng.randint(-700, 700)),
                )
                for i, page in enumerate(pages)
            ],
            batch_size=BATCH,
        )
        ProjectPartner.objects.bulk_create(
            [
                ProjectPartner(project=project, organisation=organisation, position=n)
                for project in projects
                for n, organisation in enumerate(self.rng.sample(organisations, 3))
            ],
            batch_size=BATCH,
        )
        return [listing, *pages], projects

    def events(self, projects):
        now = timezone.now()
        events = []
        for i in range(self.size["events"]):
            start = now + datetime.timedelta(hours=self.rng.randint(-24 * 730, 24 * 365))
            events.append(
                Event(
                    title_sv=f"{PREFIX}Evenemang {i}",
                    title_en=f"{PREFIX}Event {i}",
                    start=start,
                    end=start + datetime.timedelta(hours=2),
                    place_sv="Örebro",
                    text_sv=sentence(self.rng, WORDS_SV, 30),
                    project=self.rng.choice(projects) if i % 3 == 0 and projects else None,
                )
            )
        return Event.objects.bulk_create(events, batch_size=BATCH)

    def feedback(self, pages):
        now = timezone.now()
        total = self.size["feedback"]
        for start in range(0, total, BATCH):
            Feedback.objects.bulk_create(
                [
                    Feedback(
                        page=self.rng.choice(pages),
                        language=self.rng.choice(["sv", "sv", "en"]),
                        helpful=self.rng.random() < 0.7,
                        comment=sentence(self.rng, WORDS_SV, 12) if n % 10 == 0 else "",
                        created_at=now - datetime.timedelta(minutes=self.rng.randint(0, 1_051_200)),
                    )
                    for n in range(start, min(total, start + BATCH))
                ]
            )


def delete_generated():
    generated = Page.objects.filter(path_sv__startswith=PREFIX)
    Feedback.objects.filter(page__in=generated).delete()
    Event.objects.filter(title_sv__startswith=PREFIX).delete()
    Project.objects.filter(page__in=generated).delete()
    # Deepest first: a page cannot be deleted while it has subpages.
    for depth in sorted(set(generated.values_list("depth", flat=True)), reverse=True):
        Page.objects.filter(path_sv__startswith=PREFIX, depth=depth).delete()
    Organisation.objects.filter(name_sv__startswith=PREFIX).delete()


def fill(generator):
    """Write the generator's content, then empty the cache and rebuild any search index."""
    with transaction.atomic():
        sections = generator.sections()
        tree = generator.tree(sections, generator.size["pages"] - generator.size["projects"] - 1)
        project_pages, projects = generator.projects()
        events = generator.events(projects)
        pages = sections + tree + project_pages
        generator.feedback(pages)
    cache.clear()
    if "rebuild_search_index" in get_commands():
        call_command("rebuild_search_index")
    return pages, projects, events


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, required=True)
    parser.add_argument("--replace", action="store_true", help="delete earlier generated content")
    args = parser.parse_args()
    if Page.objects.filter(path_sv__startswith=PREFIX).exists():
        if not args.replace:
            sys.exit("Generated content is already there; use --replace to make it anew.")
        delete_generated()
    started = time.perf_counter()
    generator = Generator(args.size, random.Random(args.size))  # noqa: S311 (test data)
    pages, projects, events = fill(generator)
    print(
        f"Size {args.size}: {len(pages)} pages, {len(projects)} projects, {len(events)} events, "
        f"{generator.size['feedback']} feedback answers in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
