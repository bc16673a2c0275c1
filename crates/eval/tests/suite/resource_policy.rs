//! The differentiated resource policy: per-enterprise measures, per-city sums, missing consumption, and
//! tables that must be refused.

use jiqun_domain::Lang;
use jiqun_eval::permu::Class;
use jiqun_eval::resource_policy::{Level, Policy, PolicyInput, apply, example_policy, parse_class};
use serde_json::{Value, json};

use crate::common::{Edit, refused};

fn input(id: &str, city: &str, class: Class, mwh: Option<f64>, m3: Option<f64>) -> PolicyInput {
    PolicyInput { enterprise: id.into(), city: city.into(), class, electricity_mwh: mwh, water_m3: m3 }
}

#[test]
fn example_is_labelled_and_complete() {
    let p = example_policy().expect("the shipped table is valid");
    assert!(p.is_example());
    assert!(p.def().source.note.as_ref().is_some_and(|n| n.en.contains("not a per-mu rule")));
    let d = p.levers(Class::D).unwrap();
    assert_eq!((d.electricity_surcharge_yuan_per_kwh, d.water_surcharge_yuan_per_m3), (0.1, 1.0));
    assert_eq!(p.levers(Class::A).unwrap().land_quota.order, Some(1));
    assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p);
}

#[test]
fn measures_and_city_sums() {
    let p = example_policy().unwrap();
    let inputs = [
        input("a", "广州", Class::A, Some(1000.0), None),
        input("d", "广州", Class::D, Some(2000.0), Some(10000.0)),
        input("c", "深圳", Class::C, None, Some(5000.0)),
        input("t", "深圳", Class::T, None, None),
        input("c2", "深圳", Class::C, Some(400.0), Some(-5.0)),
    ];
    let out = apply(&inputs, &p);
    assert!(out.example);
    let m = &out.measures;
    // A: no surcharge, and none needs data. D: 0.1 元/kWh × 2000 MWh × 1000 = 200000 元; 1.0 × 10000 m³.
    assert_eq!((m[0].electricity_surcharge_yuan, m[0].water_surcharge_yuan), (Some(0.0), Some(0.0)));
    assert_eq!((m[1].electricity_surcharge_yuan, m[1].water_surcharge_yuan), (Some(200000.0), Some(10000.0)));
    assert_eq!((m[1].land_quota.level, m[1].credit.level), (Level::Excluded, Level::Restricted));
    // C without electricity: no estimate, and a note saying why. 0.5 × 5000 = 2500.
    assert_eq!((m[2].electricity_surcharge_yuan, m[2].water_surcharge_yuan), (None, Some(2500.0)));
    assert_eq!(m[2].notes[0].zh, "缺少用电量数据，无法估算加价");
    // T: rates 0, so missing data is no gap; its class note comes along.
    assert_eq!((m[3].electricity_surcharge_yuan, m[3].water_surcharge_yuan), (Some(0.0), Some(0.0)));
    assert_eq!(m[3].notes.len(), 1);
    // Negative water: invalid, no estimate. 0.05 × 400 × 1000 = 20000.
    assert_eq!((m[4].electricity_surcharge_yuan, m[4].water_surcharge_yuan), (Some(20000.0), None));
    assert!(m[4].notes[0].en.starts_with("water figure invalid (-5)"));

    let cities: Vec<&str> = out.cities.iter().map(|c| c.city.as_str()).collect();
    assert_eq!(cities, ["广州", "深圳"]);
    let gz = &out.cities[0];
    assert_eq!((gz.enterprises, gz.by_class.a, gz.by_class.d, gz.by_class.get(Class::B)), (2, 1, 1, 0));
    assert_eq!((gz.electricity_surcharge_yuan, gz.water_surcharge_yuan), (200000.0, 10000.0));
    assert_eq!((gz.land_quota.priority, gz.land_quota.excluded, gz.energy_quota.restricted), (1, 1, 1));
    let sz = &out.cities[1];
    assert_eq!((sz.by_class.c, sz.by_class.t), (2, 1));
    assert_eq!((sz.electricity_surcharge_yuan, sz.electricity_missing), (20000.0, 1));
    assert_eq!((sz.water_surcharge_yuan, sz.water_missing), (2500.0, 1));
    assert_eq!((sz.land_quota.restricted, sz.land_quota.normal, sz.credit.normal), (2, 1, 3));
    assert_eq!(out.total.enterprises, 5);
    assert_eq!(out.total.electricity_surcharge_yuan, 220000.0);
    assert_eq!((out.total.electricity_missing, out.total.water_missing), (1, 1));
    assert_eq!(out.total.city, "");

    let j = serde_json::to_value(&out).unwrap();
    assert_eq!(j["measures"][1]["class"], "D");
    assert_eq!(j["cities"][0]["by_class"]["A"], 1);
    assert_eq!(j["measures"][0]["land_quota"], json!({"level": "priority", "order": 1}));
    assert!(apply(&[], &p).cities.is_empty());
}

#[test]
fn classes_from_text() {
    assert_eq!(parse_class("D"), Some(Class::D));
    assert_eq!(parse_class(" t ").map(Class::as_str), Some("T"));
    assert_eq!(parse_class("E"), None);
    assert_eq!(Level::Restricted.label(Lang::Zh), "从严控制");
}

fn errors(edit: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
    refused(&example_policy().unwrap().to_json(), edit, Policy::from_json)
}

#[test]
fn bad_tables_name_their_fields() {
    let cases: Vec<(Edit, &str, &str)> = vec![
        (
            Box::new(|v| {
                v["classes"].as_object_mut().unwrap().remove("C");
            }),
            "classes.C",
            "the policy for class C is missing",
        ),
        (Box::new(|v| v["classes"]["E"] = v["classes"]["D"].clone()), "classes.E", "unknown class \"E\""),
        (
            Box::new(|v| v["classes"]["D"]["electricity_surcharge_yuan_per_kwh"] = json!(-0.1)),
            "classes.D.electricity_surcharge_yuan_per_kwh",
            "must be a number ≥ 0",
        ),
        (
            Box::new(|v| v["classes"]["D"]["electricity_surcharge_yuan_per_kwh"] = json!(100)),
            "classes.D.electricity_surcharge_yuan_per_kwh",
            "probably a unit mistake",
        ),
        (
            Box::new(|v| v["classes"]["C"]["water_surcharge_yuan_per_m3"] = json!(500)),
            "classes.C.water_surcharge_yuan_per_m3",
            "probably a unit mistake",
        ),
        (
            Box::new(|v| v["classes"]["C"]["credit"] = json!({"level": "normal", "order": 2})),
            "classes.C.credit.order",
            "only level priority",
        ),
        (
            Box::new(|v| v["classes"]["A"]["land_quota"]["order"] = json!(0)),
            "classes.A.land_quota.order",
            "starts at 1",
        ),
        (Box::new(|v| v["id"] = json!("")), "id", "invalid id"),
    ];
    for (edit, path, en) in cases {
        let es = errors(edit);
        assert!(es.iter().any(|(p, e)| p == path && e.contains(en)), "{path}: {es:?}");
    }
    let es = errors(|v| v["classes"]["A"]["land_quota"]["level"] = json!("first"));
    assert!(es[0].1.contains("unknown variant `first`"), "{es:?}");
}
