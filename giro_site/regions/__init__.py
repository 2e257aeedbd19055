"""Regions: China's administrative divisions (``gazetteer``) and where a report's body is
(``resolve``). Only the tree and the reading of names live here; pages are built in ``site``."""

from giro_site.regions.gazetteer import CITY, COUNTY, KINDS, PROVINCE, TOWNSHIP, Gazetteer, Place, gazetteer
from giro_site.regions.resolve import LEVELS, Resolution, empty_division, read_name, region_text, resolve

__all__ = ["CITY", "COUNTY", "KINDS", "LEVELS", "PROVINCE", "TOWNSHIP", "Gazetteer", "Place", "Resolution",
           "empty_division", "gazetteer", "read_name", "region_text", "resolve"]
