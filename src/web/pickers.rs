//! The lists the owner and team pickers offer (the action-item forms, the ledger's filters),
//! kept by each instance while nobody changes people or teams: an organisation of hundreds
//! would otherwise be read and sorted for every page that shows a picker. Whether a kept list
//! is current is one change counter's value (see `kept`), which the postmortem page's own
//! query already brings.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgConnection;

use super::kept::{self, Kept};
use crate::db;
use crate::domain::{Team, User, UserId};

/// How long a list is kept even while its counter stays the same.
const KEPT_FOR: Duration = Duration::from_secs(600);

/// A list as pages receive it: shared, not copied, because an organisation's list of people is
/// the largest part of the ledger's and the postmortem page's data (500 people at N = 10,000).
pub type Shared<T> = Arc<[T]>;

/// Everyone with an account (deactivated ones too, so an item's current owner can be offered),
/// and the people offered to everyone, worked out once per list.
struct People {
    everyone: Vec<User>,
    active: Shared<Person>,
}

impl People {
    fn new(everyone: Vec<User>) -> Arc<People> {
        let active = everyone.iter().filter(|user| user.active).map(Person::from).collect();
        Arc::new(People { everyone, active })
    }

    /// Which people may own an item: everyone with an active account, and `current` (who owns
    /// it now) even if their account has since been deactivated, so editing the item does not
    /// drop them.
    fn offered(&self, current: Option<UserId>) -> Shared<Person> {
        let deactivated_owner = |user: &&User| !user.active && Some(user.id) == current;
        if current.is_none() || !self.everyone.iter().any(|user| deactivated_owner(&user)) {
            return self.active.clone();
        }
        self.everyone.iter().filter(|user| user.active || deactivated_owner(user)).map(Person::from).collect()
    }
}

pub struct Pickers {
    people: Kept<(), Arc<People>>,
    teams: Kept<(), Shared<Team>>,
}

impl Default for Pickers {
    fn default() -> Pickers {
        Pickers { people: Kept::new(KEPT_FOR), teams: Kept::new(KEPT_FOR) }
    }
}

/// Someone an action item can be given to, as the owner list shows them.
pub struct Person {
    pub id: String,
    pub name: String,
}

impl From<&User> for Person {
    fn from(user: &User) -> Person {
        Person { id: user.id.to_string(), name: user.display_name().to_owned() }
    }
}

impl Pickers {
    /// The versions of the lists kept now, for a query to tell whether they are current (see
    /// `db::postmortems::ForPage`).
    pub fn kept_versions(&self) -> (Option<i64>, Option<i64>) {
        (self.people.kept_version(&()), self.teams.kept_version(&()))
    }

    /// The lists as of the given versions: those a query brought because the kept ones were
    /// out of date (kept from now on), else the kept ones. `None` when neither is at hand.
    pub fn at(
        &self,
        (people_version, people): (i64, Option<Vec<User>>),
        (teams_version, teams): (i64, Option<Vec<Team>>),
    ) -> Option<(Shared<Person>, Shared<Team>)> {
        let people = match people {
            Some(people) => {
                let people = People::new(people);
                self.people.put((), people_version, people.clone());
                people
            }
            None => self.people.get(&(), people_version)?,
        };
        let teams = match teams {
            Some(teams) => {
                let teams = Shared::from(teams);
                self.teams.put((), teams_version, teams.clone());
                teams
            }
            None => self.teams.get(&(), teams_version)?,
        };
        Some((people.offered(None), teams))
    }

    /// The people an item can be given to ([`People::offered`]). `version` is the `users`
    /// counter when the caller has read it already.
    pub async fn people(
        &self,
        db: &mut PgConnection,
        version: Option<i64>,
        current: Option<UserId>,
    ) -> sqlx::Result<Shared<Person>> {
        let version = match version {
            Some(version) => version,
            None => kept::version(&mut *db, "users").await?,
        };
        let people = match self.people.get(&(), version) {
            Some(people) => people,
            None => {
                let people = People::new(db::users::all(&mut *db).await?);
                self.people.put((), version, people.clone());
                people
            }
        };
        Ok(people.offered(current))
    }

    /// Every team, by name. `version` is the `teams` counter when the caller has read it.
    pub async fn teams(&self, db: &mut PgConnection, version: Option<i64>) -> sqlx::Result<Shared<Team>> {
        let version = match version {
            Some(version) => version,
            None => kept::version(&mut *db, "teams").await?,
        };
        if let Some(teams) = self.teams.get(&(), version) {
            return Ok(teams);
        }
        let teams = Shared::from(db::teams::all(&mut *db).await?);
        self.teams.put((), version, teams.clone());
        Ok(teams)
    }
}
