package dev.sluice.control.ipvs;

import java.util.List;

/** Where the reconciler keeps the list of virtual services it owns, so the next agent or --cleanup knows them. */
public interface IpvsStateStore {
    /** Keeps nothing: for tests of the diffing alone. */
    IpvsStateStore NONE = new IpvsStateStore() {
        @Override
        public List<OwnedService> read() {
            return List.of();
        }

        @Override
        public void write(List<OwnedService> services) {
        }
    };

    /** What was last written; empty when nothing was. Throws naming the object and field when the record is bad. */
    List<OwnedService> read();

    /** Replaces the record whole; a reader sees the old one or the new one, never a mix. */
    void write(List<OwnedService> services);
}
