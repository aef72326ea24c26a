package dev.sluice.control.datapath.packet;

/**
 * The outcome of a lenient parse: every layer decoded before the problem, and what the problem was.
 *
 * @param error null when the whole input was understood
 */
public record ParseResult(ParsedFrame frame, String error) {

    public boolean ok() {
        return error == null;
    }

    public ParsedFrame orThrow() {
        if (error != null) {
            throw new PacketParseException(error, frame.bytes());
        }
        return frame;
    }
}
