package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The objects of one kind by "namespace/name", kept up to date from each full list a source
 * hands over. Sources share the instance of an object that did not change and keep their order
 * (an informer's store, a manifest's files), so the new list is walked beside the previous one,
 * comparing references: sequential reads, no hashing, no object touched. Only objects that
 * differ are named and regrouped. When the lists drift apart too far to pair up (a reordered
 * source), every object is looked up by identity instead. Either way the result is the same.
 * More than one object may carry a name (a manifest that repeats one).
 */
final class ObjectsByName<T extends HasMetadata> {
    /** Consecutive mismatches the walk looks ahead over before it gives up on pairing. */
    private static final int LOOKAHEAD = 8;

    private Object[] previous = new Object[0];
    private final IdentityHashMap<T, String> names = new IdentityHashMap<>();
    private final Map<String, List<T>> byName = new HashMap<>();
    private final Map<String, List<T>> before = new HashMap<>();

    /** Takes the current objects; returns the names whose objects changed, appeared or went. */
    Set<String> update(Collection<T> objects) {
        Object[] current = objects.toArray();
        for (Object object : current) {
            if (object == null) {
                current = java.util.Arrays.stream(current).filter(java.util.Objects::nonNull).toArray();
                break;
            }
        }
        List<T> added = new ArrayList<>();
        List<T> removed = new ArrayList<>();
        if (!walk(current, added, removed)) {
            added.clear();
            removed.clear();
            byIdentity(current, added, removed);
        }
        previous = current;
        before.clear();
        Set<String> changed = new HashSet<>();
        for (T object : removed) {
            String name = names.remove(object);
            if (name != null && changed.add(name)) {
                before.put(name, byName.getOrDefault(name, List.of()));
            }
            List<T> now = byName.get(name);
            if (now != null) {
                List<T> rest = new ArrayList<>(now);
                rest.removeIf(o -> o == object);
                if (rest.isEmpty()) {
                    byName.remove(name);
                } else {
                    byName.put(name, rest);
                }
            }
        }
        for (T object : added) {
            String name = KubeObjects.describe(object);
            names.put(object, name);
            if (changed.add(name)) {
                before.put(name, byName.getOrDefault(name, List.of()));
            }
            List<T> now = new ArrayList<>(byName.getOrDefault(name, List.of()));
            now.add(object);
            byName.put(name, now);
        }
        return changed;
    }

    /**
     * Pairs the current list with the previous one by reference, in order; an object is added or
     * removed where the other list skips it. False when the lists cannot be paired within the
     * lookahead: then nothing can be concluded.
     */
    @SuppressWarnings("unchecked")
    private boolean walk(Object[] current, List<T> added, List<T> removed) {
        int i = 0;
        int j = 0;
        while (i < current.length && j < previous.length) {
            if (current[i] == previous[j]) {
                i++;
                j++;
                continue;
            }
            int skip = resync(current, i, previous, j);
            if (skip > 0) { // current[i .. i+skip) are new
                for (int k = 0; k < skip; k++) {
                    added.add((T) current[i + k]);
                }
                i += skip;
                continue;
            }
            int gone = resync(previous, j, current, i);
            if (gone > 0) { // previous[j .. j+gone) went
                for (int k = 0; k < gone; k++) {
                    removed.add((T) previous[j + k]);
                }
                j += gone;
                continue;
            }
            // Replaced in place: the usual shape of an update.
            added.add((T) current[i++]);
            removed.add((T) previous[j++]);
            if (added.size() > current.length / 4 + LOOKAHEAD) {
                return false;
            }
        }
        while (i < current.length) {
            added.add((T) current[i++]);
        }
        while (j < previous.length) {
            removed.add((T) previous[j++]);
        }
        return true;
    }

    /** How many of {@code a} from {@code i} to skip to meet {@code b[j]} again, 0 if not within the lookahead. */
    private static int resync(Object[] a, int i, Object[] b, int j) {
        for (int k = 1; k <= LOOKAHEAD && i + k < a.length; k++) {
            if (a[i + k] == b[j]) {
                return k;
            }
        }
        return 0;
    }

    /** Every object looked up by identity: for lists that do not keep their order. */
    @SuppressWarnings("unchecked")
    private void byIdentity(Object[] current, List<T> added, List<T> removed) {
        IdentityHashMap<Object, Boolean> present = new IdentityHashMap<>(current.length * 2);
        for (Object object : current) {
            present.put(object, Boolean.TRUE);
            if (!names.containsKey(object)) {
                added.add((T) object);
            }
        }
        for (T object : names.keySet()) {
            if (!present.containsKey(object)) {
                removed.add(object);
            }
        }
    }

    /** The objects of a name now; empty when none. */
    List<T> now(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /** The objects a changed name had before the last update. */
    List<T> before(String name) {
        return before.getOrDefault(name, List.of());
    }

    Set<String> names() {
        return byName.keySet();
    }
}
