package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

const seedBatch = 100_000

// Seeded ids sort below every id the server makes (a prefix, then a UUIDv7
// that starts with 01 for decades), in the order of their index, so ORDER
// BY id DESC is time order across seeded and served cases alike.
func seedID(prefix string, i int) string { return fmt.Sprintf("%s%s%012d", prefix, seedMark, i) }

const seedMark = "_000seed"

func seedEmployer(p int) string   { return "seed-emp-" + strconv.Itoa(p) }
func seedFreelancer(p int) string { return "seed-fl-" + strconv.Itoa(p) }

// SeedResult tells how the read mode's data came to be.
type SeedResult struct {
	Disputes      int     `json:"disputes"`
	Pairs         int     `json:"pairs"`
	Existing      int     `json:"existing"` // seeded by an earlier run
	Inserted      int     `json:"inserted"`
	InsertSeconds float64 `json:"insert_seconds"`
	VacuumSeconds float64 `json:"vacuum_analyze_seconds"`
}

// The seeded case i: pair i % pairs, the freelancer claimed 80.00 of a
// 100.00 milestone, the employer countered 50.00, both offers are open
// (negotiation, no deadline, so the server's deadline loop leaves them be).
// Neither ledger instructions nor timeline events are seeded: the reads
// measured do not touch them.
const (
	seedFunctions = `
CREATE FUNCTION pg_temp.sid(prefix text, i bigint) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$ SELECT prefix || '` + seedMark + `' || lpad(i::text, 12, '0') $$;
CREATE FUNCTION pg_temp.at(i bigint) RETURNS timestamptz IMMUTABLE LANGUAGE sql
    AS $$ SELECT timestamptz '2020-01-01 00:00:00+00' + i * interval '10 seconds' $$`

	seedPairs = `
INSERT INTO projects (id, title, employer_id, freelancer_id, currency, created_at)
    SELECT pg_temp.sid('prj', p), 'seeded ' || p, 'seed-emp-' || p, 'seed-fl-' || p, 'USD', pg_temp.at(0)
    FROM generate_series(0, $1::int - 1) p ON CONFLICT DO NOTHING;
INSERT INTO conversations (id, project_id, kind, title, created_by, created_at)
    SELECT pg_temp.sid('cnv', p), pg_temp.sid('prj', p), 'project', 'seeded ' || p, 'seed-emp-' || p, pg_temp.at(0)
    FROM generate_series(0, $1::int - 1) p ON CONFLICT DO NOTHING;
INSERT INTO participants (conversation_id, user_id, added_by, added_at)
    SELECT pg_temp.sid('cnv', p), u, 'seed-emp-' || p, pg_temp.at(0)
    FROM generate_series(0, $1::int - 1) p, LATERAL (VALUES ('seed-emp-' || p), ('seed-fl-' || p)) v(u)
    ON CONFLICT DO NOTHING`

	seedCases = `
INSERT INTO milestones (id, project_id, description, currency, amount, state, dispute_id, created_at, updated_at)
    SELECT pg_temp.sid('mil', i), pg_temp.sid('prj', i % $3), 'seeded', 'USD', 10000, 'disputed',
        pg_temp.sid('dsp', i), pg_temp.at(i), pg_temp.at(i)
    FROM generate_series($1::bigint, $2::bigint) i
    ON CONFLICT DO NOTHING;
INSERT INTO disputes (id, project_id, employer_id, freelancer_id, claimant_id, claimant_role, respondent_id,
        reason, description, currency, total_amount, claim_amount, stage, fee_amount, employer_fee,
        freelancer_fee, version, created_at, updated_at)
    SELECT pg_temp.sid('dsp', i), pg_temp.sid('prj', i % $3), 'seed-emp-' || i % $3, 'seed-fl-' || i % $3,
        'seed-fl-' || i % $3, 'freelancer', 'seed-emp-' || i % $3, 'payment_withheld', 'seeded', 'USD',
        10000, 8000, 'negotiation', 500, 'unpaid', 'unpaid', 2, pg_temp.at(i), pg_temp.at(i)
    FROM generate_series($1::bigint, $2::bigint) i
    ON CONFLICT DO NOTHING;
INSERT INTO dispute_milestones (dispute_id, milestone_id, amount)
    SELECT pg_temp.sid('dsp', i), pg_temp.sid('mil', i), 10000 FROM generate_series($1::bigint, $2::bigint) i
    ON CONFLICT DO NOTHING;
INSERT INTO offers (id, dispute_id, party, user_id, release_amount, note, status, created_at)
    SELECT pg_temp.sid('ofr', i) || o.suffix, pg_temp.sid('dsp', i), o.party, o.party_prefix || i % $3,
        o.amount, o.note, 'open', pg_temp.at(i) + o.after
    FROM generate_series($1::bigint, $2::bigint) i, (VALUES
        ('a', 'freelancer', 'seed-fl-', 8000, 'claim: seeded', interval '0'),
        ('b', 'employer', 'seed-emp-', 5000, 'seeded counter-offer', interval '1 second')
    ) o(suffix, party, party_prefix, amount, note, after)
    ON CONFLICT DO NOTHING`
)

// The statements above are several per Exec, which only the simple protocol
// allows; pgx then interpolates the (integer) arguments itself. ON CONFLICT
// lets a batch overlap one an earlier run with a smaller --seed committed.

// seed makes sure cases 1..n exist. Each batch of seedBatch cases is one
// transaction over every table; batches run on a connection per core. A
// batch whose last case exists committed whole and is skipped, so seeding
// again costs nothing and an interrupted seeding resumes.
func seed(ctx context.Context, pgURL string, n, pairs int, log io.Writer) (*SeedResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	conns := make([]*pgx.Conn, min(runtime.NumCPU(), 4))
	for i := range conns {
		conn, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			return nil, err
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, seedFunctions); err != nil {
			return nil, fmt.Errorf("seeding helpers: %w", err)
		}
		conns[i] = conn
	}
	var superuser bool
	if err := conns[0].QueryRow(ctx, "SELECT current_setting('is_superuser') = 'on'").Scan(&superuser); err != nil {
		return nil, err
	}
	start := time.Now()
	if _, err := conns[0].Exec(ctx, seedPairs, pgx.QueryExecModeSimpleProtocol, pairs); err != nil {
		return nil, fmt.Errorf("seeding projects (has the server migrated this database?): %w", err)
	}

	batches := make(chan int)
	var inserted atomic.Int64
	var wg sync.WaitGroup
	for _, conn := range conns {
		wg.Go(func() {
			for lo := range batches {
				hi := min(lo+seedBatch-1, n)
				k, err := seedCasesBatch(ctx, conn, lo, hi, pairs, superuser)
				if err != nil {
					cancel(fmt.Errorf("seeding cases %d..%d: %w", lo, hi, err))
					return
				}
				if k > 0 {
					fmt.Fprintf(log, "seed: cases %d..%d, %.0f/s\n", lo, hi, float64(inserted.Add(k))/time.Since(start).Seconds())
				}
			}
		})
	}
feed:
	for lo := 1; lo <= n; lo += seedBatch {
		select {
		case batches <- lo:
		case <-ctx.Done():
			break feed
		}
	}
	close(batches)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	res := &SeedResult{Disputes: n, Pairs: pairs, Inserted: int(inserted.Load()), InsertSeconds: time.Since(start).Seconds()}
	res.Existing = n - res.Inserted
	if res.Inserted == 0 {
		fmt.Fprintf(log, "seed: %d cases already there\n", n)
		return res, nil
	}

	// Fresh rows have no hint bits and no visibility map yet: without a
	// vacuum, the first reads would pay for writing them, and the planner
	// would not know the tables grew.
	start = time.Now()
	for _, t := range []string{"projects", "milestones", "disputes", "dispute_milestones", "offers"} {
		if _, err := conns[0].Exec(ctx, "VACUUM (ANALYZE) "+t); err != nil {
			return nil, fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	res.VacuumSeconds = time.Since(start).Seconds()
	fmt.Fprintf(log, "seed: %d cases inserted in %.1fs, vacuum and analyze %.1fs\n", res.Inserted, res.InsertSeconds, res.VacuumSeconds)
	return res, nil
}

// seedCasesBatch inserts cases lo..hi unless the batch is already there,
// and returns how many cases it inserted.
func seedCasesBatch(ctx context.Context, conn *pgx.Conn, lo, hi, pairs int, superuser bool) (int64, error) {
	var done bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM disputes WHERE id = $1)", seedID("dsp", hi)).Scan(&done); err != nil || done {
		return 0, err
	}
	var k int64
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// A fixture's durability is not worth a WAL flush per batch.
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			return err
		}
		// The rows reference each other correctly by construction; the
		// foreign-key triggers would check each reference again, some 40%
		// of the time. Only a superuser may turn them off.
		if superuser {
			if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, seedCases, pgx.QueryExecModeSimpleProtocol, lo, hi, pairs)
		k = tag.RowsAffected() / 2 // the last statement's: two offers a case
		return err
	})
	return k, err
}
