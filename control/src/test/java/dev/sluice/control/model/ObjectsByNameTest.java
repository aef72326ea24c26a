package dev.sluice.control.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lists that change as sources change them (objects replaced, added, removed, duplicated) and,
 * now and then, reordered: the names reported changed always cover every name whose objects
 * differ, and the grouping always equals grouping the list from scratch.
 */
class ObjectsByNameTest {

    private static Service service(String name, int generation) {
        return new ServiceBuilder().withNewMetadata().withNamespace("ns").withName(name)
                .withResourceVersion(Integer.toString(generation)).endMetadata().build();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void changedNamesAndGroupsMatchAFreshGrouping(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Service> list = new ArrayList<>();
        ObjectsByName<Service> objects = new ObjectsByName<>();
        Map<String, List<Service>> previous = new HashMap<>();
        for (int step = 0; step < 300; step++) {
            int op = random.nextInt(10);
            String name = "s" + random.nextInt(40);
            if (op < 4 && !list.isEmpty()) {
                int at = random.nextInt(list.size());
                list.set(at, service(list.get(at).getMetadata().getName(), step));
            } else if (op < 6) {
                list.add(random.nextInt(list.size() + 1), service(name, step));
            } else if (op < 8 && !list.isEmpty()) {
                list.remove(random.nextInt(list.size()));
            } else if (op == 8) {
                Collections.shuffle(list, new java.util.Random(random.nextLong()));
            }
            Set<String> changed = objects.update(List.copyOf(list));

            Map<String, List<Service>> fresh = new HashMap<>();
            list.forEach(s -> fresh.computeIfAbsent("ns/" + s.getMetadata().getName(), k -> new ArrayList<>()).add(s));
            Set<String> differ = new HashSet<>(fresh.keySet());
            differ.addAll(previous.keySet());
            Map<String, List<Service>> last = previous;
            differ.removeIf(n -> identical(fresh.get(n), last.get(n)));
            assertThat(changed).as("step %d", step).containsAll(differ);
            for (String n : fresh.keySet()) {
                assertThat(new HashSet<>(objects.now(n))).as("step %d, %s", step, n).isEqualTo(new HashSet<>(fresh.get(n)));
            }
            assertThat(objects.names()).isEqualTo(fresh.keySet());
            for (String n : changed) {
                assertThat(new HashSet<>(objects.before(n))).isEqualTo(new HashSet<>(previous.getOrDefault(n, List.of())));
            }
            previous = fresh;
        }
    }

    private static boolean identical(List<Service> a, List<Service> b) {
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        Set<Service> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        seen.addAll(a);
        return b.stream().allMatch(seen::contains);
    }
}
