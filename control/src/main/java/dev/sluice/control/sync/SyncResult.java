package dev.sluice.control.sync;

import java.util.List;

/**
 * What one sync did.
 *
 * @param services datapath services programmed (views of service ports)
 * @param backends backends programmed
 * @param frontends frontends programmed
 * @param refused service ports left out because their maps were full, each with the reason
 * @param errors map operations that failed; the next full sync retries them
 */
public record SyncResult(int services, int backends, int frontends, List<String> refused, List<String> errors) {
}
