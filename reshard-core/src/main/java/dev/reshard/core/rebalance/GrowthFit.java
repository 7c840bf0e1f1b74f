package dev.reshard.core.rebalance;

import java.util.List;

/**
 * An ordinary least-squares line through (time, size) samples: the slope in bytes per day, its
 * standard error, and R². Time is measured in days from the first sample, so the numbers stay well
 * conditioned over years of history.
 */
public record GrowthFit(
        int samples, double spanDays, double slopePerDay, double slopeStdError, double rSquared, double fittedAtLast) {

    /** The fit through {@code samples} (oldest first, at least two at distinct times). */
    public static GrowthFit of(List<Sample> samples) {
        int n = samples.size();
        if (n < 2) {
            throw new IllegalArgumentException("a fit needs two samples, got " + n);
        }
        long t0 = samples.get(0).at().toEpochMilli();
        double[] x = new double[n];
        double[] y = new double[n];
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (samples.get(i).at().toEpochMilli() - t0) / 86_400_000.0;
            y[i] = samples.get(i).sizeBytes();
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("a fit needs samples at two distinct times");
        }
        double slope = sxy / sxx;
        double intercept = my - slope * mx;
        double residual = 0;
        for (int i = 0; i < n; i++) {
            double e = y[i] - (intercept + slope * x[i]);
            residual += e * e;
        }
        double se = n > 2 ? Math.sqrt(residual / (n - 2) / sxx) : Double.NaN;
        double r2 = syy == 0 ? 1.0 : Math.max(0, 1 - residual / syy);
        return new GrowthFit(n, x[n - 1], slope, se, r2, intercept + slope * x[n - 1]);
    }

    /**
     * Days from the last sample until the line reaches {@code limitBytes}: 0 when it is there
     * already, infinite when the line does not grow.
     */
    public double daysTo(double limitBytes) {
        if (fittedAtLast >= limitBytes) {
            return 0;
        }
        return slopePerDay <= 0 ? Double.POSITIVE_INFINITY : (limitBytes - fittedAtLast) / slopePerDay;
    }
}
