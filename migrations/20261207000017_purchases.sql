-- Purchases (issue 13). A purchase whose answer was lost ends `unknown`; until
-- `reconcile_until` the syncs of its account look for the instances carrying its tag
-- (`lightdeck-purchase=<purchase id>`, in the inventory's `tags`).
ALTER TABLE actions ADD COLUMN reconcile_until timestamptz;
-- The order such a purchase follows was picked from the account's orders, not named by
-- Huawei's answer: if it is cancelled or creates nothing tagged, the purchase is unknown,
-- not failed or succeeded.
ALTER TABLE actions ADD COLUMN order_guessed boolean NOT NULL DEFAULT false;

CREATE INDEX actions_reconciling ON actions (account_id)
    WHERE kind = 'purchase' AND state = 'unknown' AND reconcile_until IS NOT NULL;

-- "Which of this account's orders does the panel already follow?"
CREATE INDEX actions_account_order ON actions (account_id, order_id) WHERE order_id IS NOT NULL;


-- The instance's tags as RMS lists them (a copy of `raw -> 'tags'`, small enough for the
-- table to show without reading the whole record).
ALTER TABLE instances ADD COLUMN tags jsonb NOT NULL DEFAULT '{}';
UPDATE instances SET tags = raw -> 'tags' WHERE jsonb_typeof(raw -> 'tags') = 'object';
CREATE INDEX instances_purchase_tag ON instances (account_id, (tags ->> 'lightdeck-purchase'))
    WHERE tags ? 'lightdeck-purchase';
