//! Names a person can tell apart (DESIGN.md): an instance is named with its account when
//! another account of the team has a live instance of the same name. One helper for the
//! audit sentences, the progress panel and the confirmation lists.

use std::collections::HashMap;

use lightdeck_domain::inventory::{self, Target};
use lightdeck_domain::{Error, accounts};
use sqlx::PgPool;
use uuid::Uuid;

use crate::i18n::Tr;

/// instance id → the name to show for every instance of `targets` (as
/// [`inventory::resolve`] returns them): the bare name, or "name (account)" when the name
/// alone is ambiguous within the team. Two queries, whatever the number of instances.
pub async fn tell_apart(
    db: &PgPool,
    team: Uuid,
    tr: &Tr,
    targets: &[Target],
) -> Result<HashMap<String, String>, Error> {
    let mut names: HashMap<String, String> = targets
        .iter()
        .flat_map(|t| &t.instances)
        .map(|i| (i.instance_id.to_string(), i.name.clone()))
        .collect();
    let mut listed: Vec<String> = names.values().cloned().collect();
    listed.sort();
    listed.dedup();
    if listed.is_empty() {
        return Ok(names);
    }
    let shared = inventory::shared_names(db, team, &listed).await?;
    if shared.is_empty() {
        return Ok(names);
    }
    let accounts: HashMap<Uuid, String> =
        accounts::list(db, team).await?.into_iter().map(|a| (a.id, a.name)).collect();
    for t in targets {
        let Some(account) = accounts.get(&t.account_id) else { continue };
        for i in t.instances.iter().filter(|i| shared.contains(&i.name)) {
            let named = tr.t2(
                "audit-name-with-account",
                "name",
                i.name.as_str(),
                "account",
                account.as_str(),
            );
            names.insert(i.instance_id.to_string(), named);
        }
    }
    Ok(names)
}
