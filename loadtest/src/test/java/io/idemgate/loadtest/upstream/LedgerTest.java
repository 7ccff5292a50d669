package io.idemgate.loadtest.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LedgerTest {

    @Test
    void forgetsTheOldestKeyBeyondItsBound() {
        Ledger ledger = new Ledger(2);
        ledger.recordExecution("a", "{}");
        ledger.recordExecution("b", "{}");
        ledger.recordExecution("c", "{}");

        assertThat(ledger.lookup("a")).isEmpty();
        assertThat(ledger.lookup("c")).isPresent();
        assertThat(ledger.statsJson()).contains("\"keys\":2", "\"evicted_keys\":1", "\"executions\":3");
    }

    @Test
    void keepsTheFirstBodyAndCountsDuplicatesOnce() {
        Ledger ledger = new Ledger(10);
        ledger.recordExecution("k", "{\"id\":1}");
        ledger.recordExecution("k", "{\"id\":2}");
        ledger.recordExecution("k", "{\"id\":3}");

        assertThat(ledger.lookup("k")).hasValueSatisfying(r -> {
            assertThat(r.executions()).isEqualTo(3);
            assertThat(r.firstBody()).isEqualTo("{\"id\":1}");
        });
        assertThat(ledger.statsJson()).contains("\"duplicated_keys\":1", "\"duplicate_executions\":2");
    }
}
