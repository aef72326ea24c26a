package dev.sluice.control.agent;

import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.BpfLink;
import dev.sluice.ffm.BpfProgram;
import dev.sluice.ffm.Errno;
import dev.sluice.ffm.TcDirection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches sluice's tc programs the way the kernel allows: as pinned tcx links (Linux 6.6+), else
 * as clsact filters at sluice's own handle and priority. Either survives the agent and is swapped,
 * never detached, by the next one: the pin keeps a tcx link, the qdisc keeps a filter, and the
 * next agent replaces the filter's program in place. The first attach decides: creating a tcx link
 * on a kernel without tcx fails with EINVAL and attaches nothing.
 */
final class TcAttachments {
    private static final Logger LOG = LoggerFactory.getLogger(TcAttachments.class);
    /** "51ce": sluice's filters are told apart from anyone else's on the same qdisc by this handle. */
    static final int CLSACT_HANDLE = 0x51ce;
    /** First among filters, as a tcx link would run before them. */
    static final int CLSACT_PRIORITY = 1;

    enum Method {
        TCX, CLSACT
    }

    private final LinkPins pins;
    private volatile Method method;

    TcAttachments(LinkPins pins) {
        this.pins = pins;
    }

    /** Makes {@code program} the one attached at the ingress of {@code ifindex} under {@code name}. */
    BpfLink ensureIngress(String name, BpfProgram program, int ifindex) {
        if (method == null) {
            synchronized (this) {
                if (method == null) {
                    return probe(name, program, ifindex);
                }
            }
        }
        return attach(method, name, program, ifindex);
    }

    private BpfLink probe(String name, BpfProgram program, int ifindex) {
        try {
            BpfLink link = attach(Method.TCX, name, program, ifindex);
            chosen(Method.TCX, "the kernel has tcx links");
            return link;
        } catch (BpfException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            BpfLink link = attach(Method.CLSACT, name, program, ifindex);
            chosen(Method.CLSACT, "no tcx links before Linux 6.6 (" + e.getMessage() + ")");
            return link;
        }
    }

    private void chosen(Method chosen, String why) {
        method = chosen;
        LOG.info("tc programs attach as {}: {}", chosen == Method.TCX ? "pinned tcx links" : "clsact filters at handle "
                + Integer.toHexString(CLSACT_HANDLE) + " priority " + CLSACT_PRIORITY, why);
    }

    private BpfLink attach(Method how, String name, BpfProgram program, int ifindex) {
        return switch (how) {
            case TCX -> pins.ensure(name, program, () -> program.attachTc(ifindex, TcDirection.INGRESS));
            case CLSACT -> program.attachTcClsact(ifindex, TcDirection.INGRESS, CLSACT_HANDLE, CLSACT_PRIORITY);
        };
    }

    /** The attachment under {@code name} is gone with its device: its pin, if any, goes too. */
    void forget(String name) {
        pins.delete(pins.directory().resolve(name));
    }

    /** How tc programs attach on this kernel, once the first one has. */
    Method method() {
        return method;
    }
}
