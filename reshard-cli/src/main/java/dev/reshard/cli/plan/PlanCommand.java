package dev.reshard.cli.plan;

import dev.reshard.core.strategy.StrategyKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reshard plan <strategy>}: what one of the guide's rebalancing operations would move,
 * computed offline. It builds the shard map before and after the operation with the core's builders,
 * routes synthetic keys through both and reports, per shard, the keys before and after and the keys
 * moving out and in, against the fewest moves the operation could make.
 *
 * <p>It reads no database and writes nothing. Do not read its numbers as a forecast for real data:
 * keys are uniform (hash strategies) or drawn from a chosen distribution (tenants, ranges).
 */
@Command(
        name = "plan",
        description = {
            "Show what a rebalancing operation moves, on synthetic keys, without touching a database.",
            "Pick a strategy; each takes the options of the guide's operation for it."
        },
        subcommands = {RingPlan.class, VirtualPlan.class, DirectoryPlan.class, RangePlan.class})
public final class PlanCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** A word that is not a strategy subcommand lands here; its converter refuses it by name. */
    @Parameters(arity = "0..1", paramLabel = "STRATEGY", hidden = true, converter = Converters.Strategy.class)
    StrategyKind strategy;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing strategy; use one of " + spec.subcommands().keySet()
                        + ", e.g. reshard plan virtual --shards 4 --add shard_4");
    }
}
