#include <QtTest>

class Test_study : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_study)
#include "tst_study.moc"
