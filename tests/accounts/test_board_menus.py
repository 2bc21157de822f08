"""Board members see figures, never the referral and case menus or a "New referral" button
they cannot use. Enumerated: every page of the access matrix a board member may open (and
that takes no record id) is checked, so a new page cannot bring the button back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.security.access_matrix import MATRIX

pytestmark = pytest.mark.django_db

BOARD_PAGES = [name for name, statuses in MATRIX.items() if statuses["board"] == 200]


def board_urls() -> list[str]:
    urls = []
    for name in BOARD_PAGES:
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue  # a record's page: the matrix test covers who may open it
    return urls


def test_the_enumeration_finds_the_board_pages():
    assert {"/", "/referrals/", "/cases/"} <= set(board_urls())


def test_no_board_page_offers_a_new_referral_or_the_referral_and_case_menus(board_member):
    client = Client()
    client.force_login(board_member)
    new = reverse("referrals:new")
    for url in board_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue  # a download
        page = response.content.decode()
        nav = page.split("<nav")[1].split("</nav>")[0]
        assert f'href="{new}"' not in page, url
        assert ">Referrals</a>" not in nav and ">Cases</a>" not in nav, url
        assert f'href="{reverse("cases:mine")}"' not in nav, url


def test_a_referrer_still_has_the_button(referrer):
    client = Client()
    client.force_login(referrer)
    new = reverse("referrals:new")
    assert f'href="{new}"' in client.get("/referrals/").content.decode()
    assert f'href="{new}"' in client.get("/").content.decode()
