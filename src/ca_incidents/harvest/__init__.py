"""Harvest Bugzilla CA compliance bugs into the corpus store (incremental, resumable, replayable offline).

from ca_incidents.harvest import HarvestConfig, harvest
result = harvest(HarvestConfig(base_url=server.url, data_dir=Path("data/demo")))
"""

from ca_incidents.harvest.client import (
    API_KEY_ENV,
    DEFAULT_BASE_URL,
    USER_AGENT,
    BugzillaClient,
    ClientConfig,
    HarvestError,
    OfflineCacheMiss,
    RateLimited,
    RetryPolicy,
)
from ca_incidents.harvest.harvester import (
    DEFAULT_COMPONENTS,
    DEFAULT_PRODUCTS,
    HarvestConfig,
    HarvestResult,
    harvest,
)

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_COMPONENTS",
    "DEFAULT_PRODUCTS",
    "USER_AGENT",
    "BugzillaClient",
    "ClientConfig",
    "HarvestConfig",
    "HarvestError",
    "HarvestResult",
    "OfflineCacheMiss",
    "RateLimited",
    "RetryPolicy",
    "harvest",
]
