package dev.reshard.cli.plan;

import dev.reshard.core.map.ShardMap;

/** One planned operation: the maps before and after it, the keys to route, and its optimum. */
record Scenario(String operation, ShardMap before, ShardMap after, SyntheticKeys keys, Optimum optimum) {}
