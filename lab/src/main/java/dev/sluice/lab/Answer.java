package dev.sluice.lab;

/** What a lab backend answered: which pod, the client address it saw, the port it was reached on. */
record Answer(String pod, String client, int port) {
    static Answer parse(String line) {
        String pod = null;
        String client = null;
        int port = -1;
        for (String field : line.strip().split(" ")) {
            int equals = field.indexOf('=');
            String value = field.substring(equals + 1);
            switch (field.substring(0, equals)) {
                case "pod" -> pod = value;
                case "client" -> client = value;
                case "port" -> port = Integer.parseInt(value);
                default -> { }
            }
        }
        if (pod == null || client == null) {
            throw new IllegalArgumentException("not a backend's answer: '" + line + "'");
        }
        return new Answer(pod, client, port);
    }
}
