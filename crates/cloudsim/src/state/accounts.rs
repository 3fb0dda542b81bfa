//! Accounts (IAM domains) with their IAM user, access key and one project per region.
//! Fixed once the simulator starts, so they live outside the state lock.

use std::collections::{BTreeMap, HashMap};

use lightdeck_huaweicloud::Region;
use rand::rngs::StdRng;
use secrecy::SecretString;
use serde::Serialize;

use super::ids;

/// One simulated Huawei Cloud account and everything needed to call the simulator as it.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// Account (domain) name, used in IAM password authentication.
    pub name: String,
    /// 32 hex.
    pub domain_id: String,
    /// Access key: 20 uppercase letters and digits.
    pub ak: String,
    /// Secret key: 40 letters and digits.
    #[serde(skip)]
    pub sk: SecretString,
    pub iam_user: String,
    #[serde(skip)]
    pub iam_password: SecretString,
    /// The IAM user's id (32 hex).
    pub user_id: String,
    /// Region id → project id (32 hex); the project is named after its region.
    pub projects: BTreeMap<String, String>,
}

impl Account {
    pub fn project_id(&self, region: Region) -> Option<&str> {
        self.projects.get(region.id()).map(String::as_str)
    }
}

const NAMES: [&str; 12] = [
    "acme-shop",
    "blue-river",
    "north-lab",
    "qingcheng-media",
    "sunrise-edu",
    "harbor-apps",
    "maple-studio",
    "jade-logistics",
    "orchid-games",
    "summit-health",
    "lotus-retail",
    "pine-analytics",
];

/// Every account, with the look-ups the gateway needs.
#[derive(Debug, Default)]
pub struct Directory {
    pub accounts: Vec<Account>,
    by_ak: HashMap<String, usize>,
    by_domain_id: HashMap<String, usize>,
    by_domain_name: HashMap<String, usize>,
    by_project: HashMap<String, (usize, Region)>,
}

impl Directory {
    pub fn generate(rng: &mut StdRng, n: usize) -> Self {
        let mut dir = Directory::default();
        for i in 0..n {
            let base = NAMES[i % NAMES.len()];
            let name = if i < NAMES.len() {
                base.to_owned()
            } else {
                format!("{base}-{}", i / NAMES.len())
            };
            let projects =
                Region::ALL.iter().map(|r| (r.id().to_owned(), ids::hex(rng, 32))).collect();
            let account = Account {
                name,
                domain_id: ids::hex(rng, 32),
                ak: ids::access_key(rng),
                sk: SecretString::from(ids::secret_key(rng)),
                iam_user: "lightdeck-ops".to_owned(),
                iam_password: SecretString::from(ids::password(rng)),
                user_id: ids::hex(rng, 32),
                projects,
            };
            dir.insert(account);
        }
        dir
    }

    /// A directory of given accounts (restored from a snapshot), in their order.
    pub fn from_accounts(accounts: Vec<Account>) -> Self {
        let mut dir = Directory::default();
        for a in accounts {
            dir.insert(a);
        }
        dir
    }

    fn insert(&mut self, a: Account) {
        let idx = self.accounts.len();
        self.by_ak.insert(a.ak.clone(), idx);
        self.by_domain_id.insert(a.domain_id.clone(), idx);
        self.by_domain_name.insert(a.name.clone(), idx);
        for (region, project) in &a.projects {
            if let Ok(r) = region.parse::<Region>() {
                self.by_project.insert(project.clone(), (idx, r));
            }
        }
        self.accounts.push(a);
    }

    pub fn get(&self, idx: usize) -> Option<&Account> {
        self.accounts.get(idx)
    }

    pub fn by_ak(&self, ak: &str) -> Option<usize> {
        self.by_ak.get(ak).copied()
    }

    pub fn by_domain_id(&self, id: &str) -> Option<usize> {
        self.by_domain_id.get(id).copied()
    }

    pub fn by_domain_name(&self, name: &str) -> Option<usize> {
        self.by_domain_name.get(name).copied()
    }

    /// The account owning a project and the project's region.
    pub fn by_project(&self, project_id: &str) -> Option<(usize, Region)> {
        self.by_project.get(project_id).copied()
    }
}
