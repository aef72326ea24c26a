package dev.sluice.lab;

/** A transfer that completed with other bytes than were sent: the worst a datapath can do. */
final class WrongBytes extends TransferFailure {
    WrongBytes(String message) {
        super(message);
    }
}
