"""Invented articles that many tests share: three reports of one event (the Port Alder marina,
as plain text, as JSON and as Markdown with front matter) and one of another (a storm)."""

MARINA_1 = """Harbor Council backs marina expansion

The Harbor Council approved 1,250 new berths for the east marina in Port Alder on Monday.
Mayor Ana Ruiz called the plan "a fair deal for the fishing fleet".
Construction is due to start in March and last two years, the council said.
"""
MARINA_2 = {
    "title": "Port Alder marina to grow by 1,250 berths",
    "text": "On Monday the Port Alder Harbor Council voted to add 1,250 berths at the east marina. "
    "Work will begin in March, the council said. Fishing crews have waited a decade for more "
    "space in the harbor.",
    "source": "Bay Daily",
    "published": "2026-11-03",
    "url": "https://example.org/marina",
}
MARINA_3 = """---
title: Marina plan draws objections from Port Alder residents
published: 2026-11-04
---
Residents of Port Alder objected on Wednesday to the 1,250 new berths the Harbor Council approved for the east marina.
They said the construction due to start in March would close the waterfront path for two years.
"""
STORM = """Storm closes coastal highway

A winter storm closed the coastal highway between Lindmoor and Carrow for six hours on Tuesday.
Road crews cleared fallen trees and the police reopened both lanes in the evening.
Forecasters expect more wind and rain on Friday.
"""
