package boltline.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.configuration.ssl.ClientAuth;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;
import picocli.CommandLine;

/**
 * Runs an embedded Neo4j Community DBMS whose only network endpoint is Bolt on
 * 127.0.0.1, for boltline's integration tests. Started (detached) and stopped
 * (SIGTERM) by {@code cargo xtask neo4j}; see xtask/src/neo4j.rs.
 *
 * <p>Arguments, all required, as {@code key=value}:
 * <ul>
 *   <li>{@code home}: the Neo4j home; data/ and logs/ live below it.</li>
 *   <li>{@code port}: the Bolt port on 127.0.0.1.</li>
 *   <li>{@code password}: the password of user {@code neo4j}.</li>
 *   <li>{@code tls}: a directory with server.pem (certificate chain) and
 *       server.key (PKCS#8 PEM private key), trusted/ and revoked/.</li>
 *   <li>{@code pagecache}: page cache size in MiB.</li>
 * </ul>
 */
public final class Neo4jLauncher {
    private Neo4jLauncher() {}

    public static void main(String[] args) {
        try {
            run(parse(args));
        } catch (Throwable e) {
            // Exit for sure: threads Neo4j started before failing would
            // otherwise keep the JVM (and the port) alive.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(Map<String, String> options) throws InterruptedException {
        Path home = Path.of(options.get("home")).toAbsolutePath();
        int port = Integer.parseInt(options.get("port"));
        Path tls = Path.of(options.get("tls")).toAbsolutePath();
        long pageCacheMiB = Long.parseLong(options.get("pagecache"));

        setInitialPasswordOnFirstStart(home, options.get("password"));

        SslPolicyConfig boltTls = SslPolicyConfig.forScope(SslPolicyScope.BOLT);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                // The user log ("Started." and errors) goes to stdout, which
                // xtask redirects to target/neo4j/neo4j.log. debug.log stays
                // in <home>/logs.
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                // Bolt only, on loopback. Embedded Neo4j has no HTTP server,
                // but say so explicitly in case a later version grows one.
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // OPTIONAL: the same port serves plain Bolt and Bolt over TLS,
                // so tests can exercise both bolt:// and bolt+s://.
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.OPTIONAL)
                .setConfig(boltTls.enabled, true)
                .setConfig(boltTls.base_directory, tls)
                .setConfig(boltTls.public_certificate, tls.resolve("server.pem"))
                .setConfig(boltTls.private_key, tls.resolve("server.key"))
                .setConfig(boltTls.trusted_dir, tls.resolve("trusted"))
                .setConfig(boltTls.revoked_dir, tls.resolve("revoked"))
                .setConfig(boltTls.client_auth, ClientAuth.NONE)
                // Authentication on, as in production. No lock-out after
                // failed logins: tests try wrong passwords on purpose while
                // other tests log in concurrently as the same user.
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                // Small footprint: a test server, on machines with little RAM
                // and disk. The heap is capped by xtask (-Xmx).
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMiB))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Stop in about a second instead of ten: by default the Bolt
                // server's two Netty event loop groups each wait a 5 s quiet
                // period. Internal setting, checked against the pinned 5.26.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();

        // xtask stops us with SIGTERM; the JVM then runs this hook, which
        // shuts the DBMS down cleanly (checkpoint, store files closed).
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("boltline-neo4j-launcher: shutting down");
            dbms.shutdown();
            stopped.countDown();
        }, "boltline-shutdown"));

        System.out.println("boltline-neo4j-launcher: Neo4j is up, Bolt on 127.0.0.1:" + port);
        stopped.await();
    }

    /**
     * Sets the password of user neo4j before the DBMS is started for the first
     * time, exactly as {@code neo4j-admin dbms set-initial-password} does: the
     * command writes data/dbms/auth.ini, which Neo4j reads once, when it
     * creates the system database. Later starts keep the stored password.
     */
    private static void setInitialPasswordOnFirstStart(Path home, String password) {
        if (Files.exists(home.resolve("data").resolve("databases").resolve("system"))) {
            return;
        }
        // The command reads <home>/conf/neo4j.conf if present (we have none),
        // so it resolves the same default data directory as the DBMS below.
        ExecutionContext context = new ExecutionContext(home, home.resolve("conf"));
        int exit = new CommandLine(new SetInitialPasswordCommand(context)).execute(password);
        if (exit != 0) {
            throw new IllegalStateException("set-initial-password failed with exit code " + exit);
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got: " + arg);
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        for (String key : new String[] {"home", "port", "password", "tls", "pagecache"}) {
            if (!options.containsKey(key)) {
                throw new IllegalArgumentException("missing argument " + key + "=...");
            }
        }
        return options;
    }
}
