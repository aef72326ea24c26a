package dev.sluice.ffm.ipvs;

/** What IPVS_CMD_GET_INFO reports: the IPVS version code and the connection table size. */
public record IpvsInfo(int versionCode, int connectionTableSize) {
    /** The version as ipvsadm prints it, e.g. {@code 1.2.1}. */
    public String version() {
        return ((versionCode >> 16) & 0xff) + "." + ((versionCode >> 8) & 0xff) + "." + (versionCode & 0xff);
    }
}
