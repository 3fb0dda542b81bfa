-- What BSS says an action's order costs (amount after discount, and its currency), as the
-- poller reads it from the order's details: the orders pages show it without calling BSS.
ALTER TABLE actions
    ADD COLUMN order_amount numeric(16, 2) CHECK (order_amount >= 0),
    ADD COLUMN order_currency text CHECK (length(order_currency) <= 16);
