package dev.sluice.control.datapath.packet;

/** A generated or mutated frame with a description of how it was made, for reproducing failures. */
public record Mutation(String description, Octets frame) {

    public byte[] bytes() {
        return frame.toArray();
    }

    @Override
    public String toString() {
        return description + " " + frame;
    }
}
