use cloudlab_grader::{GradeOptions, Grader, Submission, exercise};

#[test]
fn smoke() {
    let root = exercise::default_root();
    let ex = exercise::load_by_id(&root, "sqs-idempotent-consumer").unwrap();
    let t = std::time::Instant::now();
    let grader = Grader::new(GradeOptions::default()).unwrap();
    eprintln!("prepare {:?}", t.elapsed());
    let mut subs = vec![
        Submission::from_source("ref", &ex.solution),
        Submission::from_source("starter", &ex.starter),
    ];
    for w in &ex.wrong {
        subs.push(Submission::from_source(&w.name, &w.source));
    }
    let t = std::time::Instant::now();
    let report = grader.grade(&subs, &[ex]);
    eprintln!("grade {:?}", t.elapsed());
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
