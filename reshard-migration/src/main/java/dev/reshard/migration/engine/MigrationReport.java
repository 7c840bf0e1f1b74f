package dev.reshard.migration.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a migration did, stored as JSON with the migration in the catalog after every step: the
 * request (tables, estimates), events, backfill, catch-up, verification, cutover, cleanup and
 * rollback. {@code reshard migrate status} and the tests read it back; a resumed engine continues
 * it. Plain mutable fields: it is a document, written by one orchestrator (the lease holder).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class MigrationReport {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final int MAX_EVENTS = 200;

    public List<MigratedTable> tables = new ArrayList<>();
    /** Rows to move per table, counted at pre-flight. */
    public Map<String, Long> estimatedRows = new LinkedHashMap<>();
    /** Bytes to move per target shard, estimated at pre-flight. */
    public Map<String, Long> estimatedBytes = new LinkedHashMap<>();

    public List<Event> events = new ArrayList<>();
    public Backfill backfill = new Backfill();
    public CatchUp catchUp = new CatchUp();
    public Verification verification;
    public Cutover cutover = new Cutover();
    public Cleanup cleanup;
    public Rollback rollback;
    /** Whether capture (and fences) were installed on the new shards (from the cutover freeze on). */
    public boolean targetCapture;
    /** When the migration was fully wound down (routing by one map, capture removed). */
    public String finishedAt;

    /** One thing that happened, with the phase it happened in. */
    public record Event(String at, String phase, String message) {}

    public static final class Backfill {
        public String startedAt;
        public String finishedAt;
        public long rowsCopied;
        public long batchesFellBack;
        /** How often the throttle's latency guardrail halved a pair's rate. */
        public long throttleSlowdowns;
        /** Time the throttle paused the copy because a shard was over the pause threshold. */
        public long throttlePausedMillis;
    }

    public static final class CatchUp {
        public long entriesApplied;
        public long rowsSynced;
        public long lastBacklog;
        public String lastPassAt;
    }

    public static final class Verification {
        public String at;
        public long durationMillis;
        public boolean clean;
        public int rounds;
        public long mismatchesFound;
        public long mismatchesRepaired;
        public List<TableCheck> tables = new ArrayList<>();
        public long tenantsChecked;
        public long tenantCountMismatches;
        public long keysRechecked;
    }

    /** One table between one source and one target. */
    public record TableCheck(
            String table,
            String source,
            String target,
            long sourceRows,
            long targetRows,
            int chunks,
            int mismatchedChunks,
            int mismatchedKeys) {}

    public static final class Cutover {
        public int attempts;
        public long freezeMillis;
        public String at;
        public String lastAbortReason;
    }

    public static final class Cleanup {
        public String startedAt;
        public String finishedAt;
        public long rowsDeleted;
        public List<String> backupFiles = new ArrayList<>();
    }

    public static final class Rollback {
        public String from;
        public String startedAt;
        public String finishedAt;
        public long rowsReplayedToOld;
        public long rowsRemovedFromNew;
        public boolean oldHoldsEveryKey;
        public long keysChecked;
    }

    void event(String at, String phase, String message) {
        events.add(new Event(at, phase, message));
        if (events.size() > MAX_EVENTS) {
            events.subList(0, events.size() - MAX_EVENTS).clear();
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the migration report", e);
        }
    }

    public static MigrationReport fromJson(String json) {
        try {
            return JSON.readValue(json, MigrationReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored migration report is not readable: " + e.getMessage(), e);
        }
    }
}
