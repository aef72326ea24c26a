package dev.sluice.control.maglev;

import java.util.ArrayList;
import java.util.List;

/** Backend ids shaped like the control plane's, distinct for n up to 2^24. */
final class TestBackends {
    private TestBackends() {}

    static List<String> ids(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            ids.add(id(k));
        }
        return ids;
    }

    static String id(int k) {
        return "10." + (k >>> 16 & 0xFF) + "." + (k >>> 8 & 0xFF) + "." + (k & 0xFF) + ":8080/TCP";
    }

    static String[] owners(MaglevTable table) {
        String[] owners = new String[table.size()];
        for (int slot = 0; slot < owners.length; slot++) {
            owners[slot] = table.backendAt(slot);
        }
        return owners;
    }
}
