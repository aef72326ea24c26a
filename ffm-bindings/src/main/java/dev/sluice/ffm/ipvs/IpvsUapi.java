package dev.sluice.ffm.ipvs;

/** Constants of the IPVS generic netlink interface, from the kernel's uapi linux/ip_vs.h. */
final class IpvsUapi {
    static final String FAMILY = "IPVS";
    static final int GENL_VERSION = 1;

    static final int CMD_NEW_SERVICE = 1;
    static final int CMD_SET_SERVICE = 2;
    static final int CMD_DEL_SERVICE = 3;
    static final int CMD_GET_SERVICE = 4;
    static final int CMD_NEW_DEST = 5;
    static final int CMD_SET_DEST = 6;
    static final int CMD_DEL_DEST = 7;
    static final int CMD_GET_DEST = 8;
    static final int CMD_SET_INFO = 14;
    static final int CMD_GET_INFO = 15;
    static final int CMD_FLUSH = 17;

    static final int CMD_ATTR_SERVICE = 1;
    static final int CMD_ATTR_DEST = 2;

    static final int SVC_ATTR_AF = 1;
    static final int SVC_ATTR_PROTOCOL = 2;
    static final int SVC_ATTR_ADDR = 3;
    static final int SVC_ATTR_PORT = 4;
    static final int SVC_ATTR_FWMARK = 5;
    static final int SVC_ATTR_SCHED_NAME = 6;
    static final int SVC_ATTR_FLAGS = 7;
    static final int SVC_ATTR_TIMEOUT = 8;
    static final int SVC_ATTR_NETMASK = 9;

    static final int DEST_ATTR_ADDR = 1;
    static final int DEST_ATTR_PORT = 2;
    static final int DEST_ATTR_FWD_METHOD = 3;
    static final int DEST_ATTR_WEIGHT = 4;
    static final int DEST_ATTR_U_THRESH = 5;
    static final int DEST_ATTR_L_THRESH = 6;
    static final int DEST_ATTR_ACTIVE_CONNS = 7;
    static final int DEST_ATTR_INACT_CONNS = 8;
    static final int DEST_ATTR_PERSIST_CONNS = 9;
    static final int DEST_ATTR_ADDR_FAMILY = 11;

    static final int INFO_ATTR_VERSION = 1;
    static final int INFO_ATTR_CONN_TAB_SIZE = 2;

    static final int SVC_F_HASHED = 0x0002;
    static final int CONN_F_FWD_MASK = 0x0007;
    // union nf_inet_addr: the kernel always answers with all 16 bytes, whatever the family.
    static final int ADDRESS_SIZE = 16;
    // struct ip_vs_flags: flags, then the mask of the bits to change.
    static final int FLAGS_SIZE = 8;
    // IP_VS_SCHEDNAME_MAXLEN minus the terminating NUL.
    static final int SCHEDULER_NAME_MAX = 15;

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    private IpvsUapi() {
    }
}
