package dev.reshard.cli.plan;

import java.math.BigDecimal;
import java.util.Locale;

/** Number formats of the report: counts with thousands separators, percentages, ratios. */
final class Format {
    private Format() {}

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.3f", r);
    }

    /** {@code 2} for 2.0, {@code 1.5} for 1.5. */
    static String decimal(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
