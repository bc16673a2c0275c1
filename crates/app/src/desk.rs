//! The home page's own parts, as use cases over the others: an enterprise user's desk (its firm's latest
//! per-mu class and why, the cultivation libraries it is in and those it may apply for, the figures it
//! still owes, its key projects and their open problems), and the key-project watch on an official's
//! dashboard (overdue problems, the projects that have them, and a department's own problems to answer).

use std::collections::HashMap;

use jiqun_domain::Lang;
use jiqun_domain::enterprise::{METRICS, Metric};
use jiqun_domain::projects::{ProblemState, ProjectStage};
use jiqun_eval::libraries::Status;
use jiqun_store::{EnterpriseRow, EvaluationRow, ProjectFilter};

use crate::cultivation::FirmLibrary;
use crate::projects::{ProblemView, ProjectView};
use crate::registry::{ResultView, this_year};
use crate::{Action, App, AppError, AppResult, Object, Perm, Scope, Session};

/// An enterprise user's desk: what its own firm is, has and owes.
#[derive(Debug, Clone)]
pub struct EnterpriseDesk {
    /// The USCC the account holds.
    pub uscc: String,
    /// The firm's record; `None` while the firm is not in the registry.
    pub enterprise: Option<EnterpriseRow>,
    /// The firm's result in the latest evaluation run that rated it (the run, the result with its reason and
    /// items).
    pub latest: Option<(EvaluationRow, ResultView)>,
    /// The year the libraries were assessed for.
    pub library_year: i64,
    /// The libraries the firm is a member of.
    pub libraries: Vec<FirmLibrary>,
    /// The libraries whose criteria it meets without being a member: it may apply (or the ranking decides).
    pub may_apply: Vec<FirmLibrary>,
    /// The year whose figures are due now (the year just ended).
    pub owed_year: i64,
    /// The registry's yearly figures the firm has not given for that year.
    pub owed: Vec<&'static Metric>,
    /// Whether the account may edit the firm's figures (a link to the form).
    pub may_edit: bool,
    /// Its key projects; `None` when the account may not read projects.
    pub projects: Option<Vec<ProjectView>>,
    /// The problems on its projects not closed yet, overdue first.
    pub problems: Vec<ProblemView>,
}

/// A project with problems past their deadline.
#[derive(Debug, Clone)]
pub struct WatchedProject {
    pub id: i64,
    pub name: String,
    pub city: String,
    pub stage: ProjectStage,
    pub stage_label: String,
    pub overdue: usize,
    pub open: usize,
}

/// The key projects as an official's dashboard shows them.
#[derive(Debug, Clone, Default)]
pub struct ProjectWatch {
    /// Problems waiting for an answer past their deadline, on the projects the caller reads.
    pub overdue: Vec<ProblemView>,
    /// The projects those problems are on, most overdue first.
    pub projects: Vec<WatchedProject>,
    /// For a department (its own scope): the department's name and the problems routed to it that wait for
    /// its answer, overdue first.
    pub department: Option<(String, Vec<ProblemView>)>,
    /// The projects the caller reads that have milestones past their planned date and not done, most first.
    pub slipping: Vec<crate::projects::ProjectView>,
}

impl App {
    /// The desk of an enterprise account: its firm's latest class and why, its libraries, what it may apply
    /// for, the figures it owes for the year just ended, its projects with their open problems. 403 for an
    /// account that holds no enterprise or may not read that enterprise's figures.
    pub async fn enterprise_desk(&self, session: &Session, lang: Lang) -> AppResult<EnterpriseDesk> {
        let Some(uscc) = session.user.uscc.clone().filter(|u| !u.is_empty()) else {
            return Err(AppError::forbidden());
        };
        let firm = self.store.enterprise_by_uscc(&uscc).await?;
        let city = firm.as_ref().map(|e| e.city.as_str()).unwrap_or("");
        if !session.can(&Action::ReadFigures(Object { uscc: &uscc, city, ..Object::default() })) {
            return Err(AppError::forbidden());
        }
        let owed_year = this_year() - 1;
        let mut desk = EnterpriseDesk {
            uscc,
            enterprise: None,
            latest: None,
            library_year: owed_year,
            libraries: Vec::new(),
            may_apply: Vec::new(),
            owed_year,
            owed: Vec::new(),
            may_edit: false,
            projects: None,
            problems: Vec::new(),
        };
        if let Some(e) = firm {
            let view = self.enterprise_view(session, e.id).await?;
            desk.latest = view.results.into_iter().max_by_key(|(run, _)| (run.year, run.id));
            let given: Vec<&str> = view
                .figures
                .iter()
                .flatten()
                .filter(|f| f.year == owed_year && f.is_current)
                .map(|f| f.metric.as_str())
                .collect();
            desk.owed = METRICS.iter().filter(|m| !m.library && !given.contains(&m.key)).collect();
            desk.may_edit = view.may_edit;
            let libs = self.firm_libraries(session, e.id, None).await?;
            desk.library_year = libs.year;
            for l in libs.libraries {
                match l.status {
                    Status::Member => desk.libraries.push(l),
                    Status::Candidate | Status::Eligible => desk.may_apply.push(l),
                    Status::NotMember => {}
                }
            }
            desk.enterprise = Some(view.row);
        } else {
            desk.owed = METRICS.iter().filter(|m| !m.library).collect();
        }
        if !session.roles.scopes(&session.user, Perm::ReadProjects).is_empty() {
            desk.projects = Some(self.projects(session, &ProjectFilter::default(), lang).await?);
            desk.problems =
                self.problems(session, lang).await?.into_iter().filter(|p| p.state != ProblemState::Closed).collect();
        }
        Ok(desk)
    }

    /// The key-project watch of a dashboard: overdue problems on the projects the caller reads and those
    /// projects; for a department, the problems routed to it awaiting its answer. `None` for a caller who
    /// neither reads projects nor answers problems.
    pub async fn project_watch(&self, session: &Session, lang: Lang) -> AppResult<Option<ProjectWatch>> {
        let reads = session.roles.scopes(&session.user, Perm::ReadProjects);
        let answers = session.roles.scopes(&session.user, Perm::AnswerProblem);
        if reads.is_empty() && answers.is_empty() {
            return Ok(None);
        }
        let problems = self.problems(session, lang).await?;
        let rows: HashMap<i64, jiqun_store::ProjectRow> =
            self.store.projects(&ProjectFilter::default()).await?.into_iter().map(|p| (p.id, p)).collect();
        let readable = |id: i64| {
            rows.get(&id).is_some_and(|p| {
                session.can(&Action::ReadProjects(Object {
                    city: &p.city,
                    uscc: p.owner_uscc.as_deref().unwrap_or(""),
                    ..Object::default()
                }))
            })
        };
        let mut watch = ProjectWatch::default();
        for x in problems.iter().filter(|x| x.overdue && readable(x.project_id)) {
            watch.overdue.push(x.clone());
            if watch.projects.iter().any(|p| p.id == x.project_id) {
                continue;
            }
            let Some(p) = rows.get(&x.project_id) else { continue };
            let mine = problems.iter().filter(|y| y.project_id == p.id);
            watch.projects.push(WatchedProject {
                id: p.id,
                name: p.name.clone(),
                city: p.city.clone(),
                stage: p.stage,
                stage_label: p.stage.label(lang).to_string(),
                overdue: mine.clone().filter(|y| y.overdue).count(),
                open: mine.filter(|y| y.state != ProblemState::Closed).count(),
            });
        }
        watch.projects.sort_by_key(|p| (std::cmp::Reverse(p.overdue), p.id));
        if !reads.is_empty() {
            let mut slipping: Vec<crate::projects::ProjectView> = self
                .projects(session, &ProjectFilter::default(), lang)
                .await?
                .into_iter()
                .filter(|p| p.slipping_milestones > 0)
                .collect();
            slipping.sort_by_key(|p| (std::cmp::Reverse(p.slipping_milestones), p.id));
            watch.slipping = slipping;
        }
        if answers.contains(&Scope::OwnAgency)
            && !answers.contains(&Scope::All)
            && let Some(agency) = session.user.agency.as_ref()
        {
            let name = agency.as_str().to_string();
            let mine: Vec<ProblemView> =
                problems.into_iter().filter(|x| x.department == name && x.state.awaits_answer()).collect();
            watch.department = Some((name, mine));
        }
        Ok(Some(watch))
    }
}
