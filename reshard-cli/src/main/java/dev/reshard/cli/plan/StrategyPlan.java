package dev.reshard.cli.plan;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A {@code reshard plan <strategy>} subcommand: it turns its options into a {@link Scenario}; the
 * routing, the report and its output are shared.
 */
sealed interface StrategyPlan extends Callable<Integer> permits RingPlan, VirtualPlan, DirectoryPlan, RangePlan {

    CommandSpec spec();

    PlanOptions options();

    /** Which option each core field comes from, for re-worded refusals. */
    OptionNames optionNames();

    /** Builds the maps before and after the operation; refuses bad input. */
    Scenario scenario();

    @Override
    default Integer call() {
        PlanOptions options = options();
        options.validate();
        PlanReport report = PlanReport.of(optionNames().translating(this::scenario));
        PrintWriter out = spec().commandLine().getOut();
        out.print(options.json ? report.toJson() : PlanTable.render(report));
        out.flush();
        return 0;
    }
}
