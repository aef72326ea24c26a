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
 * The objects of one kind by "namespace/name", updated from each full list at the cost of an
 * identity lookup per object: sources hand over the same instance for an object that did not
 * change, so only new instances are named and regrouped. More than one object may carry a name
 * (a manifest that repeats one); they keep the order of the list.
 */
final class ObjectsByName<T extends HasMetadata> {
    private IdentityHashMap<T, String> names = new IdentityHashMap<>();
    private final Map<String, List<T>> byName = new HashMap<>();
    private final Map<String, List<T>> before = new HashMap<>();

    /** Takes the current objects; returns the names whose objects changed, appeared or went. */
    Set<String> update(Collection<T> objects) {
        before.clear();
        IdentityHashMap<T, String> next = new IdentityHashMap<>(objects.size() * 2);
        Set<String> changed = new HashSet<>();
        int unchanged = 0;
        for (T object : objects) {
            if (object == null) {
                continue;
            }
            String name = names.get(object);
            if (name != null) {
                unchanged++;
            } else {
                name = KubeObjects.describe(object);
                changed.add(name);
            }
            next.put(object, name);
        }
        if (unchanged != names.size()) {
            names.forEach((object, name) -> {
                if (!next.containsKey(object)) {
                    changed.add(name);
                }
            });
        }
        if (!changed.isEmpty()) {
            Map<String, List<T>> regrouped = new HashMap<>();
            for (T object : objects) {
                if (object != null) {
                    String name = next.get(object);
                    if (changed.contains(name)) {
                        regrouped.computeIfAbsent(name, k -> new ArrayList<>(1)).add(object);
                    }
                }
            }
            for (String name : changed) {
                before.put(name, byName.getOrDefault(name, List.of()));
                List<T> now = regrouped.get(name);
                if (now == null) {
                    byName.remove(name);
                } else {
                    byName.put(name, now);
                }
            }
        }
        names = next;
        return changed;
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
