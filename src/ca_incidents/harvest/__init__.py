"""Harvest Bugzilla CA compliance bugs into the corpus store (incremental, resumable, replayable offline).

from ca_incidents.harvest import ClientConfig, HarvestConfig, default_cache_dir, harvest
client = ClientConfig(cache_dir=default_cache_dir(data_dir), base_url=server.url)
result = harvest(HarvestConfig(data_dir, client))
"""

from ca_incidents.harvest.client import (
    USER_AGENT,
    BugzillaClient,
    ClientConfig,
    HarvestError,
    OfflineCacheMiss,
    RateLimited,
    RetryPolicy,
    default_cache_dir,
)
from ca_incidents.harvest.harvester import (
    DEFAULT_COMPONENTS,
    DEFAULT_PRODUCTS,
    HarvestConfig,
    HarvestResult,
    harvest,
)

__all__ = [
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
    "default_cache_dir",
    "harvest",
]
