package dev.sluice.control.datapath.packet;

/** Thrown by the strict parse methods; the message names the field and offset and dumps the input. */
public final class PacketParseException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public PacketParseException(String problem, byte[] input) {
        super(problem + "\n" + HexDump.of(input));
    }
}
