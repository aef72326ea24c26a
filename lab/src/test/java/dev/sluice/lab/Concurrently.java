package dev.sluice.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/** Runs one check per item at the same time, each on its own virtual thread, and gathers what failed. */
final class Concurrently {
    private Concurrently() {
    }

    /** "item: failure message" for each item whose check threw; every check has ended when this returns. */
    static <T> List<String> failures(List<T> items, Consumer<T> check) {
        List<Future<?>> running = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (T item : items) {
                running.add(executor.submit(() -> check.accept(item)));
            }
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                running.get(i).get();
            } catch (ExecutionException failed) {
                // A TransferFailure says what happened; anything else is unexpected and shown whole.
                Throwable cause = failed.getCause();
                failures.add(items.get(i) + ": " + (cause instanceof AssertionError ? cause.getMessage() : cause.toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return failures;
    }
}
