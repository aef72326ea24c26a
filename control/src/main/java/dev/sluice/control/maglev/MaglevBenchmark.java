package dev.sluice.control.maglev;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Times {@link MaglevTable#build} for M in {16381, 65537} and N in {10, 100, 1000}, with two
 * baselines from the same run so the figures can be read as ratios on any machine: filling an
 * int[M] with a trivial loop (the floor for touching every slot once) and hashing the N ids alone
 * (canonicalising plus the two XXH64 per id, i.e. all of the build except the population loop).
 *
 * <p>A command, not a test. After {@code mvn -q -pl control compile}, either
 * {@code java -cp control/target/classes dev.sluice.control.maglev.MaglevBenchmark [seconds-per-case]}
 * with a JDK 22+, or, letting Maven pick that JDK, {@code mvn -q -pl control validate exec:exec
 * -Dexec.executable=java -Dexec.args="-cp %classpath dev.sluice.control.maglev.MaglevBenchmark"}
 * ({@code validate} selects the toolchain; {@code exec.args} must not be combined with
 * {@code compile}, it would replace the module's make arguments). Each case is warmed up (JIT compiled) for as long as it is then measured,
 * build and baselines interleaved; every result feeds a checksum that is printed, so the JIT
 * cannot discard the work.
 */
public final class MaglevBenchmark {
    private static final int[] SIZES = {MaglevTable.DEFAULT_SIZE, 65537};
    private static final int[] BACKEND_COUNTS = {10, 100, 1000};
    private static final int MIN_SAMPLES = 200;

    private final double secondsPerCase;
    private long checksum;

    private MaglevBenchmark(double secondsPerCase) {
        this.secondsPerCase = secondsPerCase;
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        new MaglevBenchmark(seconds).run(System.out);
    }

    private void run(PrintStream out) {
        out.printf(Locale.ROOT, "Maglev table build, %s %s on %s, %d CPUs, %.1f s warm-up + %.1f s measured per case, interleaved with the baselines%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), secondsPerCase, secondsPerCase);
        out.println();
        out.printf(Locale.ROOT, "%6s %5s | %10s %10s %10s %12s | %9s %9s | %8s %8s%n",
                "M", "N", "median us", "p99 us", "builds/s", "Mslots/s", "fill us", "hash us", "x fill", "x hash");
        for (int size : SIZES) {
            for (int backends : BACKEND_COUNTS) {
                List<String> ids = ids(backends);
                Timing[] timings = timeInterleaved(
                        () -> MaglevTable.build(ids, size, 0).backendIndexAt(size / 2),
                        () -> fill(size),
                        () -> hashOnly(ids, size));
                Timing build = timings[0];
                Timing fill = timings[1];
                Timing hash = timings[2];
                out.printf(Locale.ROOT, "%6d %5d | %10.1f %10.1f %10.0f %12.1f | %9.2f %9.2f | %8.1f %8.1f%n",
                        size, backends, build.medianMicros(), build.p99Micros(), build.perSecond(),
                        build.perSecond() * size / 1e6, fill.medianMicros(), hash.medianMicros(),
                        build.medianMicros() / fill.medianMicros(), build.medianMicros() / hash.medianMicros());
            }
        }
        out.println();
        out.println("median/p99: one build; builds/s and Mslots/s: 1 / mean build time, one thread.");
        out.println("fill: int[M] written by a plain loop; hash: canonicalise + 2 x XXH64 per id; x: build median / baseline median.");
        out.println("checksum " + checksum);
    }

    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            ids.add("10." + (k >>> 16 & 0xFF) + "." + (k >>> 8 & 0xFF) + "." + (k & 0xFF) + ":8080/TCP");
        }
        return ids;
    }

    /** The cheapest way to produce a table of M ints: what a build costs at the very least. */
    private static long fill(int size) {
        int[] table = new int[size];
        for (int slot = 0; slot < size; slot++) {
            table[slot] = slot;
        }
        return table[size / 2] + table[size - 1];
    }

    private static long hashOnly(List<String> ids, int size) {
        CanonicalBackends canonical = CanonicalBackends.of(ids);
        long sum = 0;
        for (byte[] id : canonical.utf8()) {
            sum += Long.remainderUnsigned(XxHash64.hash(id, 0), size)
                    + Long.remainderUnsigned(XxHash64.hash(id, MaglevTable.SKIP_SEED_TWEAK), size - 1);
        }
        return sum;
    }

    /**
     * Warms up, then measures the works in rounds of one run each, so that whatever else the
     * machine does at the time slows the build and its baselines alike and the ratios hold.
     */
    private Timing[] timeInterleaved(LongSupplier... works) {
        runRounds(works, secondsPerCase, null);
        List<List<Long>> samples = new ArrayList<>();
        for (int i = 0; i < works.length; i++) {
            samples.add(new ArrayList<>());
        }
        runRounds(works, secondsPerCase, samples);
        Timing[] timings = new Timing[works.length];
        for (int i = 0; i < works.length; i++) {
            timings[i] = new Timing(samples.get(i).stream().mapToLong(Long::longValue).sorted().toArray());
        }
        return timings;
    }

    /** Rounds for at least the given time and MIN_SAMPLES rounds; samples null means warm-up. */
    private void runRounds(LongSupplier[] works, double seconds, List<List<Long>> samples) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        for (int round = 0; round < MIN_SAMPLES || System.nanoTime() - start < budget; round++) {
            for (int i = 0; i < works.length; i++) {
                long before = System.nanoTime();
                checksum += works[i].getAsLong();
                long nanos = System.nanoTime() - before;
                if (samples != null) {
                    samples.get(i).add(nanos);
                }
            }
        }
    }

    private record Timing(long[] sortedNanos) {
        double medianMicros() {
            return percentile(0.50) / 1e3;
        }

        double p99Micros() {
            return percentile(0.99) / 1e3;
        }

        /** Back-to-back builds per second on one thread: 1 / mean time. */
        double perSecond() {
            return sortedNanos.length / (Arrays.stream(sortedNanos).sum() / 1e9);
        }

        private long percentile(double p) {
            int index = (int) Math.ceil(p * sortedNanos.length) - 1;
            return sortedNanos[Math.max(0, Math.min(index, sortedNanos.length - 1))];
        }
    }
}
