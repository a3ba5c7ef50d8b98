//! The roles suite against the server in `MONGODB_URI` (see `moderation::server` for how
//! tests find it and what happens without one).

use crate::moderation::server::TestDatabase;

hearth_roles::roles_store_suite!([] optional TestDatabase::create);
