package dev.sluice.lab;

/** A transfer through the lab that did not deliver what was sent: a test failure, with what happened. */
class TransferFailure extends AssertionError {
    TransferFailure(String message) {
        super(message);
    }

    TransferFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
