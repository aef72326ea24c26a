package dev.sluice.control.sync;

import java.util.List;

/**
 * Where the maps stand after a reconcile.
 *
 * @param services datapath services programmed (views of service ports)
 * @param backends backends programmed
 * @param frontends frontends programmed
 * @param refused service ports (or changes to them) left out because their maps were full or
 *     they could not be planned, each with the reason; tried again when room is freed
 * @param conflicts frontends claimed by two service ports: the older keeps it, the newer is refused
 * @param warnings what is programmed but worse than asked (e.g. a table too small to balance)
 * @param errors map writes that failed and are being retried
 * @param writes map entries written or deleted by this reconcile
 */
public record SyncResult(int services, int backends, int frontends, List<String> refused, List<String> conflicts,
                         List<String> warnings, List<String> errors, int writes) {
    public SyncResult {
        refused = List.copyOf(refused);
        conflicts = List.copyOf(conflicts);
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
    }
}
